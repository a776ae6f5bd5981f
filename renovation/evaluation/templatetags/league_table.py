"""``{% frozen_month month first %}``: one frozen month of the street league table, as the
``<details>`` the streets page and the admin screen list; ``{% bar_chart chart %}``: one of its charts.

Written in Python rather than in the template: a plan year lists up to twelve months of a row per
street, each with the table's nine translated headings, and resolving them through the template
engine was most of the page's rendering time. The output is the markup the template wrote
(tests/evaluation/test_streets_page.py holds the two byte for byte equal); values go through the
template engine's own ``render_value_in_context``, so figures read as elsewhere in the language shown.
"""

from __future__ import annotations

from collections.abc import Callable

from django import template
from django.template.base import render_value_in_context
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

from ..charts import BarChart
from ..selectors import FrozenMonth

register = template.Library()

HEADINGS = (  # translated when written (the league table's own headings, same msgids)
    gettext_noop("Street"),
    gettext_noop("Planned"),
    gettext_noop("Started"),
    gettext_noop("Completed"),
    gettext_noop("On time"),
    gettext_noop("Average delay (days)"),
    gettext_noop("Days to accept an issue"),
    gettext_noop("Days to rectify an issue"),
    gettext_noop("Satisfaction (1-5)"),
)
NUMBER_CLASS = ' class="num"'


def _written_once(context: template.Context) -> Callable[[object], str]:
    """``render_value_in_context``, once per page for each value: the same few figures, headings,
    names and coordinates recur in every month and every chart (kept by type and text, so that 1
    and Decimal("1.0") stay apart; per language, as numbers are formatted in it)."""
    written = context.render_context.setdefault(("league_table_values", translation.get_language()), {})

    def value(item: object) -> str:
        key = (type(item), str(item))
        found = written.get(key)
        if found is None:
            found = written[key] = render_value_in_context(item, context)
        return found

    return value


@register.simple_tag(takes_context=True)
def frozen_month(context: template.Context, month: FrozenMonth, first: bool) -> SafeString:
    value = _written_once(context)

    def or_dash(item: object) -> str:  # {{ item|default_if_none:"—" }}
        return value("—" if item is None else item)

    headings_key = ("frozen_month_headings", translation.get_language())
    headings = context.render_context.get(headings_key)
    if headings is None:
        headings = context.render_context[headings_key] = "".join(
            f'<th scope="col"{NUMBER_CLASS if index else ""}>{conditional_escape(gettext(heading))}</th>'
            for index, heading in enumerate(HEADINGS)
        )
    label = gettext("Month ending %(label)s") % {"label": value(month.label)}
    rows = "".join(
        "\n      <tr>\n"
        f'        <th scope="row">{value(row.street.name)}</th>\n'
        f'        <td class="num">{value(row.planned)}</td><td class="num">{value(row.started)}</td>'
        f'<td class="num">{value(row.completed)}</td>\n'
        f'        <td class="num">{"—" if row.on_time_share is None else value(row.on_time_share) + "%"}</td>\n'
        f'        <td class="num">{or_dash(row.average_delay_days)}</td>\n'
        f'        <td class="num">{or_dash(row.median_days_to_accept)}</td>\n'
        f'        <td class="num">{or_dash(row.median_days_to_rectify)}</td>\n'
        f'        <td class="num">{or_dash(row.satisfaction)}</td>\n'
        "      </tr>\n    "
        for row in month.rows
    )
    return mark_safe(  # every value above is escaped
        f'<details class="league-month"{" open" if first else ""}>\n'
        f"  <summary>{label}</summary>\n"
        f'  <div class="table-scroll" tabindex="0" role="region" aria-label="{label}">\n'
        '  <table class="data-table">\n'
        f"    <thead><tr>{headings}</tr></thead>\n"
        f"    <tbody>\n    {rows}\n    </tbody>\n"
        "  </table>\n"
        "  </div>\n"
        "</details>"
    )


@register.simple_tag(takes_context=True)
def bar_chart(context: template.Context, chart: BarChart) -> SafeString:
    """One server-drawn bar chart (charts.BarChart): title and description for screen readers,
    the value written after each bar; the markup its template wrote, in Python for the same
    reason as the months (tests/evaluation/test_streets_page.py holds the two equal)."""

    value = _written_once(context)
    key, title = value(chart.key), value(chart.title)
    bars = "".join(
        '\n    <g class="league-chart__row">\n'
        f'      <text class="league-chart__label" x="0" y="{value(bar.y + 15)}">{value(bar.label)}</text>\n'
        f'      <rect class="league-chart__bar" x="{value(chart.label_width)}" y="{value(bar.y + 2)}"'
        f' width="{value(str(bar.width))}" height="{value(chart.bar_height)}" rx="3"></rect>\n'
        f'      <text class="league-chart__value" x="{value(str(bar.text_x))}" y="{value(bar.y + 15)}">'
        f"{value(bar.text)}</text>\n"
        "    </g>\n    "
        for bar in chart.bars
    )
    return mark_safe(  # every value above is escaped
        '\n<figure class="league-chart">\n'
        f'  <svg class="league-chart__svg" role="img" aria-labelledby="chart-{key}-title chart-{key}-desc"'
        f' viewBox="0 0 {value(chart.width)} {value(chart.height)}" width="100%"'
        ' preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">\n'
        f'    <title id="chart-{key}-title">{title}</title>\n'
        f'    <desc id="chart-{key}-desc">{value(chart.description)}</desc>\n'
        f"    {bars}\n"
        "  </svg>\n"
        f'  <figcaption class="league-chart__caption">{title}</figcaption>\n'
        "</figure>\n"
    )
