"""The street league table (街道排名): public at /streets/, and in the back office."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.accounts.permissions import is_staff_member
from renovation.projects.selectors import default_plan_year
from renovation.public.cache import depends_on, next_midnight

from .charts import BarChart, bar_chart
from .selectors import LeagueRow, plan_years
from .stored import league_year_context, stored_league_html


def _asked_year(request: HttpRequest) -> int | None:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return None


def _plan_year(asked: int | None, years: list[int]) -> int | None:
    return asked if asked in years else default_plan_year(timezone.localdate(), years)


def _number(value: Decimal | None, unit: str = "") -> str:
    return "—" if value is None else f"{value}{unit}"


def charts(rows: list[LeagueRow]) -> list[BarChart]:
    """Completion, on-time share, average delay and satisfaction by street."""
    completion = [
        (
            row.street.name,
            (Decimal(row.figures.completed * 100) / row.figures.planned).quantize(Decimal("0.1"), ROUND_HALF_UP),
        )
        for row in rows
    ]
    return [
        bar_chart(
            key="completion",
            title=_("Share of planned projects completed"),
            description=_("One bar per street: completed projects as a percentage of the projects planned."),
            values=[(name, value, f"{value}%") for name, value in completion],
            scale=100,
        ),
        bar_chart(
            key="on-time",
            title=_("Completed on time"),
            description=_("One bar per street: the share of completed projects that finished by the planned date."),
            values=[
                (row.street.name, row.figures.on_time_share, _number(row.figures.on_time_share, "%")) for row in rows
            ],
            scale=100,
        ),
        bar_chart(
            key="delay",
            title=_("Average delay (days)"),
            description=_("One bar per street: the average number of days projects were late; shorter is better."),
            values=[
                (row.street.name, row.figures.average_delay_days, _number(row.figures.average_delay_days))
                for row in rows
            ],
            scale=0,
        ),
        bar_chart(
            key="satisfaction",
            title=_("Residents' satisfaction (1-5)"),
            description=_("One bar per street: the mean overall rating given by residents."),
            values=[(row.street.name, row.figures.satisfaction, _number(row.figures.satisfaction)) for row in rows],
            scale=5,
        ),
    ]


def _context(request: HttpRequest) -> dict[str, Any]:
    years = plan_years()  # read once: the chosen year, the default and the year links
    return league_year_context(_plan_year(_asked_year(request), years), years, timezone.localdate())


def streets(request: HttpRequest) -> HttpResponse:
    depends_on(request, "streets", until=next_midnight())
    # The table as the job kept it for the year and language (stored.py), else live.
    kept = stored_league_html(_asked_year(request), timezone.now())
    context = {"league_html": kept} if kept is not None else {"league_html": None, **_context(request)}
    return render(request, "evaluation/streets.html", context)


def streets_admin(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise PermissionDenied
    context = _context(request)
    context["page_title"] = _("Street league table")
    return TemplateResponse(request, "evaluation/admin.html", context)
