"""pytest plugin: run the selected tests once unmutated, then once per mutant of one module.

``pytest -p tests.mutation.plugin --mutate MODULE[:Func,Class.method] --mutation-report FILE TESTS``

Every test is parametrized by a hidden ``_mutant`` number (0 = the code as it is) and the items are
ordered mutant by mutant. Before the first test of a mutant runs, the mutant is put into the
process; once one of its tests fails, its remaining tests are skipped (killed). The report lists
each mutant as killed or survived; the baseline must pass, or nothing is reported as killed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.mutation.mutants import Applied, Mutant, apply, mutants

_state: dict[str, Any] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mutation")
    group.addoption("--mutate", default=None, help="module to mutate, optionally :Function,Class.method")
    group.addoption("--mutation-report", default=None, help="where to write the JSON report")


def _target(config: pytest.Config) -> tuple[str, list[str] | None] | None:
    value = config.getoption("--mutate")
    if not value:
        return None
    module, _, functions = value.partition(":")
    return module, (functions.split(",") if functions else None)


def pytest_configure(config: pytest.Config) -> None:
    target = _target(config)
    if target is None:
        return
    module, functions = target
    _state.update(
        module=module,
        functions=functions,
        mutants=mutants(module, functions),
        current=0,
        applied=None,
        killed={},
        baseline_failed=[],
        tests=0,
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if not _state:
        return
    metafunc.fixturenames.append("_mutant")
    count = len(_state["mutants"])
    metafunc.parametrize("_mutant", range(count + 1), ids=[f"m{n}" for n in range(count + 1)])


@pytest.fixture
def _mutant() -> None:
    """Placeholder: the parameter only orders and labels the runs."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not _state:
        return
    items.sort(key=lambda item: item.callspec.params["_mutant"])  # type: ignore[attr-defined]
    _state["tests"] = sum(1 for item in items if item.callspec.params["_mutant"] == 0)  # type: ignore[attr-defined]


def _switch(number: int) -> None:
    applied: Applied | None = _state["applied"]
    if applied is not None:
        applied.restore()
        _state["applied"] = None
    _state["current"] = number
    if number:
        mutant: Mutant = _state["mutants"][number - 1]
        try:
            _state["applied"] = apply(_state["module"], mutant, _state["functions"])
        except Exception as error:  # a mutant that cannot even load is killed by the interpreter
            _state["killed"][number] = f"does not load: {type(error).__name__}: {error}"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if not _state:
        return
    number = item.callspec.params["_mutant"]  # type: ignore[attr-defined]
    if number != _state["current"]:
        _switch(number)
    if number and _state["baseline_failed"]:
        pytest.skip("the tests fail without any mutant")
    if number in _state["killed"]:
        pytest.skip("mutant already killed")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not _state or not report.failed:
        return
    number = _state["current"]
    if number == 0:
        _state["baseline_failed"].append(report.nodeid)
    else:
        _state["killed"].setdefault(number, report.nodeid.split("[")[0])


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not _state:
        return
    _switch(0)
    path = session.config.getoption("--mutation-report")
    report = {
        "module": _state["module"],
        "functions": _state["functions"],
        "tests": _state["tests"],
        "baseline_failed": _state["baseline_failed"],
        "mutants": [
            {
                "description": mutant.description,
                "killed_by": _state["killed"].get(mutant.index),
            }
            for mutant in _state["mutants"]
        ],
    }
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(report, handle, ensure_ascii=False, indent=1)
