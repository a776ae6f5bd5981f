"""``{% tender_card tender %}``: one tender as the card the public tender list shows.

Written in Python rather than as an included template: the list shows up to
``TENDER_LIST_PAGE_SIZE`` tenders plus those open for bids, and including and resolving the card's
template once per tender was most of the page's rendering time. The output is the markup of the
card's template as it was (tests/tendering/test_tender_list.py holds them byte for byte equal);
values are formatted by the template engine's own functions (the ``yuan`` filter's
``format_yuan``, the date filter's formats), so they read as elsewhere in the language shown.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from django import template
from django.conf import settings
from django.template.base import render_value_in_context
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from renovation.figures import format_yuan

from ..models import Tender, TenderStatus

register = template.Library()


def _minute(moment: datetime | None, zone: tzinfo | None) -> str:
    """``{{ moment|date:"Y-m-d H:i" }}``: figures only, the same in every language; ``zone``: the
    page's time zone, or None when the template shows times as stored (``template_localtime``)."""
    if not moment:
        return ""
    if zone is not None and not timezone.is_naive(moment):
        moment = moment.astimezone(zone)
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}"


def _page_parts(context: template.Context) -> dict[str, Any]:
    """What every card of one page writes alike, found once per page: the translated terms, the
    address of a tender's page (all but its number) and each value already written (kept by type
    and text, so that 1 and Decimal("1.0") stay apart)."""
    parts = context.render_context.get("tender_card_parts")
    if parts is None:
        use_tz = context.use_tz
        marker = 918_273_645  # a tender number, split out of the reversed address
        url = conditional_escape(reverse("tendering:detail", args=[marker]))
        before, after = url.split(str(marker))
        parts = context.render_context["tender_card_parts"] = {
            "url": (before, after),
            "terms": tuple(conditional_escape(gettext(term)) for term in ("Ceiling price", "Bids until", "Opening")),
            "written": {},
            "phases": {},  # phase → its class and label as written
            "prices": {},  # ceiling price → as written
            # Where the page shows times, found once (as ``template_localtime`` finds it per value).
            "zone": timezone.get_current_timezone() if (settings.USE_TZ if use_tz is None else use_tz) else None,
        }
    return parts


@register.simple_tag(takes_context=True)
def tender_card(context: template.Context, tender: Tender) -> SafeString:
    """``tender`` as the public list reads it (selectors.tender_list): with ``street_name`` and
    ``neighbourhood_name``."""
    parts = _page_parts(context)
    written = parts["written"]

    def value(item: object) -> str:
        key = (type(item), str(item))
        found = written.get(key)
        if found is None:
            found = written[key] = render_value_in_context(item, context)
        return found

    before, after = parts["url"]
    ceiling, until, opening = parts["terms"]
    zone = parts["zone"]
    # The phase's class and label, and the price as written, once per page for each value.
    phase = tender.phase()
    status = parts["phases"].get(phase)
    if status is None:
        status = parts["phases"][phase] = (value(phase), value(str(TenderStatus(phase).label)))
    price = tender.ceiling_price
    yuan = parts["prices"].get(price)
    if yuan is None:
        yuan = parts["prices"][price] = value(format_yuan(price))
    # A text as ``{{ tender.title }}`` writes it (render_value_in_context: a text is only escaped).
    title = conditional_escape(tender.title) if context.autoescape else tender.title
    return mark_safe(  # every value below is escaped
        '\n<li class="card tender-card">\n'
        f'  <h3><a href="{before}{tender.pk}{after}">{title}</a></h3>\n'
        '  <p class="project-header__meta">\n'
        f'    <span class="status status--tender-{status[0]}">{status[1]}</span>\n'
        f"    <span>{value(tender.street_name)} · {value(tender.neighbourhood_name)}</span>\n"
        "  </p>\n"
        '  <dl class="facts">\n'
        f"    <dt>{ceiling}</dt><dd>{yuan}</dd>\n"
        f"    <dt>{until}</dt><dd>{_minute(tender.bid_period_end, zone)}</dd>\n"
        f"    <dt>{opening}</dt><dd>{_minute(tender.opening_at, zone)}</dd>\n"
        "  </dl>\n"
        "</li>\n"
    )
