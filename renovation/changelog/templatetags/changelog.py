"""``{% change_log_entry entry %}``: one entry of a public change log as the ``<li>`` the
change-log page lists.

Written in Python rather than as a template: a page lists up to ``CHANGE_LOG_PAGE_SIZE`` entries
of several changes each, and resolving the same dozen variables per entry through the template
engine was most of the page's rendering time. The output is the markup the page's template wrote
(tests/cms/test_project_changes.py holds the two byte for byte equal); values are formatted by
the template engine's own functions, so numbers and dates read as elsewhere in the language shown.
"""

from __future__ import annotations

from django import template
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from renovation.changelog.selectors import ChangeEntry

register = template.Library()


@register.simple_tag(takes_context=True)
def change_log_entry(context: template.Context, entry: ChangeEntry) -> SafeString:
    when = template_localtime(entry.when, context.use_tz)
    # The formats the template gave the date filter, "Y-m-d", "Y-m-d H:i" and "c": figures only,
    # the same in every language.
    day = f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
    if entry.day_only:
        time = f'<time datetime="{day}">{day}</time>'
    else:
        time = f'<time datetime="{when.isoformat()}">{day} {when.hour:02d}:{when.minute:02d}</time>'
    created = f'<span class="changelog__created">{conditional_escape(gettext("added"))}</span>' if entry.created else ""
    changes = []
    for change in entry.changes:
        old = "" if entry.created else f"<del>{render_value_in_context(change.old, context)}</del> → "
        changes.append(
            f"\n        <li>{render_value_in_context(change.label, context)}: {old}"
            f"<ins>{render_value_in_context(change.new, context)}</ins></li>\n        "
        )
    return mark_safe(  # every value above is escaped
        f"<li>\n      {time}\n"
        f'      <span class="changelog__subject">{render_value_in_context(entry.subject, context)}</span>\n'
        f"      {created}\n      <ul>\n        {''.join(changes)}\n      </ul>\n    </li>"
    )
