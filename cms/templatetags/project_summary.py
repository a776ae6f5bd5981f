"""``{% summary_part name %}``: one section of the project page that its stored summary keeps.

The page inserts the section's HTML as the summary stored it (cms.summary) when it has one, else
renders the section's template with the page's context, the same template the summary was
rendered from: the two can only differ by what they were computed from.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from cms.summary import SECTION_TEMPLATES

register = template.Library()


@register.simple_tag(takes_context=True)
def summary_part(context: template.Context, name: str) -> SafeString:
    stored = context.get("summary_html")
    if stored is not None and name in stored:
        return stored[name]
    return context.template.engine.get_template(SECTION_TEMPLATES[name]).render(context)
