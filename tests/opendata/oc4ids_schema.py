"""OC4IDS 0.9.4 validation, offline, as the Open Contracting Partnership's reviews check it:
the project package schema (JSON Schema draft 4, with the ``uri`` and ``date-time`` formats
checked), every code against the standard's codelist CSV (closed and open codelists alike:
we publish codes from the lists only), and no field that the schema does not define.

The schemas are the unmodified files of ``../shared/data/oc4ids-0.9.4/``, copied to ``tests/opendata/oc4ids-0.9.4/``.
The OCP's own ``libcoveoc4ids`` 0.9.1 cannot be installed beside the ``libcoveocds`` we pin
(it requires libcoveocds < 0.17), so this module does what its schema and codelist checks do.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

# A verbatim copy of ../shared/data/oc4ids-0.9.4 (as tests/tendering/ocds-1.1 is of the OCDS files):
# CI runs a clean clone wherever it likes, where ../shared need not be beside it.
SCHEMAS = Path(__file__).resolve().parent / "oc4ids-0.9.4"


@cache
def _load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


@cache
def codelist(name: str) -> frozenset[str]:
    with (SCHEMAS / "codelists" / name).open(encoding="utf-8") as handle:
        return frozenset(row["Code"] for row in csv.DictReader(handle))


def validator() -> Draft4Validator:
    package, project = _load("project-package-schema.json"), _load("project-schema.json")
    # The package's items $ref the project schema by its id URL: answer it from the local file.
    registry = Registry().with_resource(project["id"], Resource.from_contents(project, default_specification=DRAFT4))
    return Draft4Validator(package, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/definitions/")
        schema = _load("project-schema.json")["definitions"][name]
    return schema


def _walk(value: Any, schema: dict[str, Any], path: str, found: list[str]) -> None:
    schema = _resolve(schema)
    if "codelist" in schema:
        allowed = codelist(schema["codelist"])
        for code in value if isinstance(value, list) else [value]:
            if code not in allowed:
                found.append(f"{path}: {code!r} is not in {schema['codelist']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key not in properties:
                found.append(f"{path}/{key}: a field the schema does not define")
            else:
                _walk(item, properties[key], f"{path}/{key}", found)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            _walk(item, schema["items"], f"{path}/{index}", found)


def problems(package: dict[str, Any]) -> list[str]:
    """Everything that keeps a package from a clean review; empty when it is clean."""
    found = [
        f"schema: /{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in validator().iter_errors(package)
    ]
    for key in package:
        if key not in _load("project-package-schema.json")["properties"]:
            found.append(f"/{key}: a field the package schema does not define")
    for index, project in enumerate(package.get("projects") or []):
        _walk(project, _load("project-schema.json"), f"/projects/{index}", found)
    return found
