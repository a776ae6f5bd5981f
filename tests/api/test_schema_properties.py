"""Property-based run of the OpenAPI schema (Schemathesis, in process against the WSGI app):
requests generated from the schema, valid and invalid, never get a server error, and every 200
answer matches the schema it was generated from. Bounded: a few examples per operation."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from renovation.api.urls import router
from renovation.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 10
UNLIMITED = {"anon": "100000/minute", "standard": "100000/minute", "partner": "100000/minute"}


def _run(operation, mode: GenerationMode) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: schemathesis.Case) -> None:
        response = case.call()
        case.validate_response(response, checks=[not_a_server_error, content_type_conformance])
        if response.status_code == 200:
            case.validate_response(response, checks=[response_schema_conformance])

    check()


def test_no_generated_request_gets_a_server_error(scene, settings):
    # The anonymous rate would answer the generated requests with 429 before long.
    settings.API_RATES = UNLIMITED
    # As Django's test client does: the WSGI handler would close the test's database connection
    # at the start and the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 24  # a list and a detail for each of the twelve resources
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _run(operation, mode)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_answer_of_the_scene_matches_the_schema(scene, settings):
    """Each list of the scene, every page, and each of its rows on its own address, validated
    against the OpenAPI schema the API publishes."""
    settings.API_RATES = UNLIMITED
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
        checked = 0
        for prefix, _viewset, _basename in router.registry:
            listing = schema.find_operation_by_path("GET", f"/api/v1/{prefix}/")
            detail = schema.find_operation_by_path("GET", f"/api/v1/{prefix}/{{id}}/")
            query: dict[str, str] = {"page_size": "2"}
            while True:
                case = listing.Case(query=query)
                response = case.call()
                assert response.status_code == 200, prefix
                case.validate_response(response, checks=[response_schema_conformance])
                page = response.json()
                for row in page["results"]:
                    one = detail.Case(path_parameters={"id": row["id"]})
                    one.validate_response(one.call(), checks=[not_a_server_error, response_schema_conformance])
                    checked += 1
                if not page["next"]:
                    break
                query = dict(parse_qsl(urlsplit(page["next"]).query))
        assert checked >= 20
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
