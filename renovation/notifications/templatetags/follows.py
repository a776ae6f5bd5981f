"""The follow switch of project and street pages, and notification text made readable."""

from __future__ import annotations

import re
from typing import Any

from django import template

from ..models import Follow
from ..selectors import is_following

register = template.Library()

HEX_DIGEST = re.compile(r"\b[0-9a-fA-F]{64}\b")


@register.simple_tag(takes_context=True)
def follow_switch(context: template.Context, project: Any = None, street: Any = None, street_code: str = "") -> dict:
    """What the follow switch shows. The public's page is cached for everyone, so for it this reads
    nothing personal (a sign-in link, no form, no CSRF token); a signed-in visitor's page is
    rendered fresh and gets the form with their own state."""
    project, street = project or None, street or None  # an unset template variable reads as ""
    if project is None and street is None and street_code:
        # The street through the model's own relation: a platform module imports no domain app.
        street = Follow._meta.get_field("street").related_model.objects.filter(code=street_code).first()
    if project is None and street is None:
        return {}
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(getattr(user, "is_authenticated", False))
    return {
        "project": project,
        "street": street,
        "name": project.name if project is not None else street.name,
        "signed_in": signed_in,
        "following": signed_in and is_following(user, project=project, street=street),
    }


@register.filter
def without_digests(text: str) -> str:
    """Older notifications printed whole SHA-256 digests: show the first eight characters."""
    return HEX_DIGEST.sub(lambda match: match.group(0)[:8] + "…", text or "")
