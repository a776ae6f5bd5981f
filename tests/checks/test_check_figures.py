import contextlib
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renovation.projects.models import Project
from tests.factories import ProjectFactory, WorkItemFactory
from tests.finance.factories import contract_for

pytestmark = pytest.mark.django_db


def _project(progress: str = "100.00") -> Project:
    project = ProjectFactory(progress=Decimal(progress), status="proposed")
    WorkItemFactory(project=project, progress=Decimal("100"))
    return project


def test_it_says_every_rule_holds_and_exits_zero(capsys):
    _project()

    call_command("check_figures")

    assert "All 12 rule(s) hold." in capsys.readouterr().out


def test_it_prints_each_finding_and_exits_non_zero(capsys):
    project = _project(progress="12.00")

    with pytest.raises(CommandError) as raised:
        call_command("check_figures")

    assert raised.value.returncode == 1
    assert str(raised.value) == "1 finding(s) in 12 rule(s)."
    assert capsys.readouterr().out.splitlines() == [
        f"[project-progress-weighted] project {project.code} {project.name}: "
        "progress 12.00% ≠ weighted mean of its 1 work item(s) 100.00%"
    ]


def test_it_checks_only_the_rules_asked_for(capsys):
    _project(progress="12.00")

    call_command("check_figures", rule=["deadline-after-report"])

    assert "All 1 rule(s) hold." in capsys.readouterr().out


def _queries() -> int:
    with CaptureQueriesContext(connection) as queries, contextlib.suppress(CommandError):
        call_command("check_figures")
    return len(queries)


def test_it_reads_in_a_fixed_number_of_queries_whatever_the_data():
    _project()
    contract_for(ProjectFactory(status="proposed"))
    few = _queries()
    for _index in range(5):
        _project()
        contract_for(ProjectFactory(status="proposed"))

    assert _queries() == few
