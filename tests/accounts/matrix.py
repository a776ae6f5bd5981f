"""A permission matrix: rows are personas, columns are requests, each cell the expected answer.

``assert_matrix`` sends every request as every persona and reports every cell that differs, so a
failing matrix says exactly which role got which answer where.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.test import Client

ALLOWED = "allowed"
REFUSED = "refused"
SIGN_IN = "sign-in"


@dataclass(frozen=True)
class Cell:
    method: str
    url: str
    data: Mapping[str, Any] | None = None


def outcome(response: Any, *, signed_in: bool) -> str:
    """allowed: the page or the action went through; refused: 403, Wagtail's redirect to the
    dashboard, or a signed-in person sent back to a login page; sign-in: an anonymous visitor sent
    to a login page."""
    if response.status_code in (200, 400):
        return ALLOWED
    if response.status_code == 403:
        return REFUSED
    if response.status_code == 302:
        location = response["Location"]
        if "/login/" in location:
            return REFUSED if signed_in else SIGN_IN
        if location.rstrip("/") in ("/admin", ""):
            return REFUSED
        return ALLOWED
    return f"status {response.status_code}"


def assert_matrix(
    personas: Mapping[str, Any | None],
    columns: Mapping[str, Cell],
    expected: Mapping[str, Mapping[str, str]],
    *,
    after_each: Callable[[], None] | None = None,
) -> None:
    """``expected[persona][column]`` for every persona and column; None as a persona is anonymous."""
    assert set(expected) == set(personas), "every persona needs a row"
    failures = []
    for persona_name, user in personas.items():
        row = expected[persona_name]
        assert set(row) == set(columns), f"row {persona_name} must name every column"
        for column_name, cell in columns.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            send = getattr(client, cell.method.lower())
            response = send(cell.url, cell.data or {})
            got = outcome(response, signed_in=user is not None)
            if got != row[column_name]:
                failures.append(f"{persona_name} × {column_name}: expected {row[column_name]}, got {got}")
            if after_each is not None:
                after_each()
    assert not failures, "\n".join(failures)
