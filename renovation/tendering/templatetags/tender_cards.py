"""``{% tender_card tender %}``: one tender as the card the public tender list shows.

Written in Python rather than as an included template: the list shows up to
``TENDER_LIST_PAGE_SIZE`` tenders plus those open for bids, and including and resolving the card's
template once per tender was most of the page's rendering time. The output is the markup of the
card's template as it was (tests/tendering/test_tender_list.py holds them byte for byte equal);
values are formatted by the template engine's own functions (the ``yuan`` filter's
``format_yuan``, the date filter's formats), so they read as elsewhere in the language shown.
"""

from __future__ import annotations

from datetime import datetime

from django import template
from django.template.base import render_value_in_context
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from renovation.figures import format_yuan

from ..models import Tender

register = template.Library()


def _minute(moment: datetime | None, use_tz: bool | None) -> str:
    """``{{ moment|date:"Y-m-d H:i" }}``: figures only, the same in every language."""
    if not moment:
        return ""
    moment = template_localtime(moment, use_tz)
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}"


@register.simple_tag(takes_context=True)
def tender_card(context: template.Context, tender: Tender) -> SafeString:
    def value(item: object) -> str:
        return render_value_in_context(item, context)

    neighbourhood = tender.project.neighbourhood
    url = conditional_escape(reverse("tendering:detail", args=[tender.pk]))
    return mark_safe(  # every value below is escaped
        '\n<li class="card tender-card">\n'
        f'  <h3><a href="{url}">{value(tender.title)}</a></h3>\n'
        '  <p class="project-header__meta">\n'
        f'    <span class="status status--tender-{value(tender.phase())}">{value(tender.phase_label())}</span>\n'
        f"    <span>{value(neighbourhood.community.street.name)} · {value(neighbourhood.name)}</span>\n"
        "  </p>\n"
        '  <dl class="facts">\n'
        f"    <dt>{conditional_escape(gettext('Ceiling price'))}</dt>"
        f"<dd>{value(format_yuan(tender.ceiling_price))}</dd>\n"
        f"    <dt>{conditional_escape(gettext('Bids until'))}</dt>"
        f"<dd>{_minute(tender.bid_period_end, context.use_tz)}</dd>\n"
        f"    <dt>{conditional_escape(gettext('Opening'))}</dt><dd>{_minute(tender.opening_at, context.use_tz)}</dd>\n"
        "  </dl>\n"
        "</li>\n"
    )
