"""``{% home_part name %}``: one section of the home page that its stored summary keeps.

The page inserts the section's HTML as cms.home_summary stored it when it has it, else renders the
section's template with the page's context, the same template the summary was rendered from.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from cms.home_summary import PART_TEMPLATES

register = template.Library()


@register.simple_tag(takes_context=True)
def home_part(context: template.Context, name: str) -> SafeString:
    stored = context.get("home_html")
    if stored is not None:
        return stored[name]
    return context.template.engine.get_template(PART_TEMPLATES[name]).render(context)
