"""Content-Security-Policy (django-csp) with one allowance: the Wagtail admin.

The public site runs a strict policy (settings.CONTENT_SECURITY_POLICY): scripts and style
elements only from our own origin or carrying the request's nonce, no inline event handlers.
Wagtail 8's own admin still writes inline ``<script>`` without a nonce (date and time choosers,
inline panels, search promotions; wagtail/wagtail#7053), so under ``/admin/`` the policy of
settings.CONTENT_SECURITY_POLICY_ADMIN applies instead: 'unsafe-inline' for scripts there and
no nonce in the header (a nonce would make browsers ignore 'unsafe-inline'). Everything else
(origins, object-src, base-uri, form-action, frame-ancestors) stays as strict as the public one.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase


def is_admin_path(path: str) -> bool:
    return path.startswith(tuple(settings.CONTENT_SECURITY_POLICY_ADMIN_PREFIXES))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and is_admin_path(request.path_info):
            parts.config = default_config(settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"])
            parts.nonce = None
        return parts
