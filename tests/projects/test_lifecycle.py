import ast
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from renovation.consultation.gates import residents_decision_gate
from renovation.projects import lifecycle
from renovation.projects.models import ProjectStatus
from renovation.projects.services import project_update
from renovation.tendering.gates import mandatory_tenders_gate
from tests.factories import ProjectFactory

RENOVATION = Path(lifecycle.__file__).resolve().parents[1]
PROCESS_APPS = ("tendering", "consultation", "finance", "supervision", "discussion", "planning", "reports")


@pytest.fixture
def only_these_gates(monkeypatch):
    """Replace the registered gates for one test; the real ones come back afterwards."""

    def install(*gates):
        monkeypatch.setattr(lifecycle, "_gates", [])
        for gate in gates:
            lifecycle.register_gate(gate)

    return install


def test_it_runs_the_registered_gates_in_order_with_the_old_and_new_status(personas, only_these_gates):
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.PROPOSED)
    calls = []
    only_these_gates(
        lambda p, old, new: calls.append(("first", p.pk, old, new)),
        lambda p, old, new: calls.append(("second", p.pk, old, new)),
    )
    project_update(actor=personas.street_a, project=project, data={"status": ProjectStatus.CONSULTING})
    assert calls == [
        ("first", project.pk, ProjectStatus.PROPOSED, ProjectStatus.CONSULTING),
        ("second", project.pk, ProjectStatus.PROPOSED, ProjectStatus.CONSULTING),
    ]


def test_it_stops_at_the_first_refusal_and_saves_nothing(personas, only_these_gates):
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.PROPOSED)
    calls = []

    def refuse(p, old, new):
        calls.append("refuse")
        raise ValidationError({"status": "门槛未达到"})

    only_these_gates(refuse, lambda p, old, new: calls.append("after"))
    with pytest.raises(ValidationError) as error:
        project_update(
            actor=personas.street_a, project=project, data={"status": ProjectStatus.CONSULTING, "summary": "不应保存"}
        )
    assert error.value.message_dict == {"status": ["门槛未达到"]}
    assert calls == ["refuse"]
    project.refresh_from_db()
    assert project.status == ProjectStatus.PROPOSED
    assert project.summary == ""


def test_it_asks_no_gate_when_the_status_stays(personas, only_these_gates):
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.CONSULTING)
    calls = []
    only_these_gates(lambda p, old, new: calls.append(new))
    project_update(actor=personas.street_a, project=project, data={"summary": "新说明"})
    assert calls == []


def test_it_registers_a_gate_once(only_these_gates):
    def gate(p, old, new):
        return None

    only_these_gates(gate, gate)
    assert lifecycle.registered_gates() == (gate,)


def test_the_apps_register_their_gates_tendering_then_consultation():
    gates = lifecycle.registered_gates()
    assert mandatory_tenders_gate in gates
    assert residents_decision_gate in gates
    # INSTALLED_APPS order: the must-tender check answers first, as it did before the registry.
    assert gates.index(mandatory_tenders_gate) < gates.index(residents_decision_gate)


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("app", ["projects", "places"])
def test_it_keeps_projects_and_places_below_the_process_apps(app):
    upward = {
        f"{path.relative_to(RENOVATION)}: {module}"
        for path in (RENOVATION / app).rglob("*.py")
        for module in _imported_modules(path)
        if module.startswith(tuple(f"renovation.{process}" for process in PROCESS_APPS))
    }
    assert upward == set()
