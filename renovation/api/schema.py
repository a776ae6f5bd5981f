"""How the OpenAPI schema describes the API: keys in a header, and only /api/v1/ (Wagtail's own
admin API runs on REST framework too and is no part of the open data)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "renovation.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"
    optional = True  # anonymous calls are welcome, at the anonymous rate

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Authorization: Api-Key <key>`; keys are issued by the housing bureau.",
        }


def only_open_data(endpoints: list[tuple[str, str, str, Any]]) -> list[tuple[str, str, str, Any]]:
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
