"""Freezing the monthly evaluation: every ended month once, never again, figures as of its end."""

from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from renovation.evaluation.models import MonthlyEvaluation
from renovation.evaluation.services import monthly_evaluations_freeze
from renovation.projects.models import ProjectStatus
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _plan(personas, year: int = 2026, **fields):
    defaults = {
        "plan_year": year,
        "status": ProjectStatus.UNDER_CONSTRUCTION,
        "planned_start": date(year, 1, 10),
        "planned_end": date(year, 2, 10),
        "actual_start": date(year, 1, 20),
        "neighbourhood": personas.street_a_place,
    }
    return ProjectFactory(**{**defaults, **fields})


def test_it_freezes_every_ended_month_per_street(personas):
    _plan(personas)
    _plan(personas, neighbourhood=personas.street_b_place)
    assert monthly_evaluations_freeze(today=date(2026, 3, 15)) == 4
    rows = {(row.street.code, row.label): row for row in MonthlyEvaluation.objects.all()}
    assert set(rows) == {("anyang", "2026-01"), ("anyang", "2026-02"), ("yuhai", "2026-01"), ("yuhai", "2026-02")}
    february = rows[("anyang", "2026-02")]
    assert (february.planned, february.started, february.completed) == (1, 1, 0)
    assert february.average_delay_days == 18  # due 02-10, open on 02-28
    assert february.history.get().history_change_reason == "monthly_evaluation_freeze"


def test_it_does_not_freeze_the_running_month(personas):
    _plan(personas)
    assert monthly_evaluations_freeze(today=date(2026, 1, 31)) == 0
    assert monthly_evaluations_freeze(today=date(2026, 2, 1)) == 1


def test_it_never_refreezes_a_month(personas):
    project = _plan(personas)
    monthly_evaluations_freeze(today=date(2026, 3, 15))
    # Completed afterwards, back-dated into February: the frozen February stays as published.
    type(project).objects.filter(pk=project.pk).update(status=ProjectStatus.ACCEPTED, actual_end=date(2026, 2, 5))
    assert monthly_evaluations_freeze(today=date(2026, 3, 15)) == 0
    february = MonthlyEvaluation.objects.get(month=2)
    assert february.completed == 0
    # The next month is frozen with the new facts.
    assert monthly_evaluations_freeze(today=date(2026, 4, 1)) == 1
    march = MonthlyEvaluation.objects.get(month=3)
    assert (march.completed, march.on_time_share) == (1, 100)


def test_a_finished_plan_drops_out_of_the_following_years(personas):
    _plan(personas, year=2025, status=ProjectStatus.ACCEPTED, actual_end=date(2025, 2, 1))
    monthly_evaluations_freeze(today=date(2026, 2, 1))
    labels = sorted(MonthlyEvaluation.objects.values_list("year", "month"))
    assert labels[0] == (2025, 1) and labels[-1] == (2025, 12)
    assert len(labels) == 12


def test_an_unfinished_plan_stays_in_the_following_years(personas):
    _plan(personas, year=2025)
    monthly_evaluations_freeze(today=date(2026, 2, 1))
    assert MonthlyEvaluation.objects.filter(plan_year=2025, year=2026, month=1).exists()


def test_only_the_bureau_may_freeze_by_hand(personas):
    _plan(personas)
    with pytest.raises(PermissionDenied, match="只有住建局工作人员可以冻结月度评价"):
        monthly_evaluations_freeze(actor=personas.street_a, today=date(2026, 3, 1))
    assert not MonthlyEvaluation.objects.exists()
    assert monthly_evaluations_freeze(actor=personas.bureau, today=date(2026, 3, 1)) == 2
    assert MonthlyEvaluation.history.filter(history_user=personas.bureau).count() == 2


def test_the_command_freezes_and_says_how_many(personas):
    _plan(personas, year=2024)
    out = StringIO()
    call_command("evaluations_freeze", stdout=out)
    frozen = MonthlyEvaluation.objects.count()
    assert frozen >= 12
    assert out.getvalue() == f"{frozen} street evaluation(s) frozen.\n"
    out = StringIO()
    call_command("evaluations_freeze", stdout=out)
    assert out.getvalue() == ""
    assert MonthlyEvaluation.objects.count() == frozen
