"""The project lifecycle's gates: the apps built on projects veto a status change here.

`projects` sits below the process apps (consultation, tendering …) and must not import them
(STYLE.md rule 17). An app that has a say in a project's status — the residents' threshold before
approval, the signed contract before construction — registers a gate in its `AppConfig.ready()`;
`project_update` runs every gate, in registration order, inside its transaction before it saves,
so a gate reads the same state the change is written against.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Project

# A gate gets the project as it is about to be saved, the stored status and the new one; it raises
# django.core.exceptions.ValidationError with its reason (keyed by field, usually "status") to refuse.
StatusGate = Callable[["Project", str, str], None]

_gates: list[StatusGate] = []


def register_gate(gate: StatusGate) -> StatusGate:
    """Add a gate (once: registering the same callable again is a no-op). Usable as a decorator."""
    if gate not in _gates:
        _gates.append(gate)
    return gate


def registered_gates() -> tuple[StatusGate, ...]:
    return tuple(_gates)


def status_change_check(*, project: Project, old_status: str, new_status: str) -> None:
    """Run every registered gate for a status change; the first refusal stops the change."""
    if old_status == new_status:
        return
    for gate in _gates:
        gate(project, old_status, new_status)
