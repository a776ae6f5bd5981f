"""The one way services write a domain row: validate, save, and record who and why in history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


def apply_changes(instance: models.Model, data: Mapping[str, Any], allowed: Iterable[str]) -> list[str]:
    """Copy the allowed keys of ``data`` onto ``instance``; return the names that changed.

    A key outside ``allowed`` is a programming error (a form offering a field the service does
    not own), not bad user input, so it raises immediately.
    """
    allowed = set(allowed)
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"{type(instance).__name__}: fields not editable here: {sorted(unknown)}")
    changed = []
    for name, value in data.items():
        field = instance._meta.get_field(name)
        if field.is_relation:
            # Compare foreign keys by id: reading an unset relation would raise.
            current = getattr(instance, field.attname)
            value_id = getattr(value, "pk", value)
            if current != value_id:
                setattr(instance, name, value)
                changed.append(name)
            continue
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def save_recorded(
    instance: models.Model, *, actor: Any, reason: str, exclude_validation: Iterable[str] = ()
) -> models.Model:
    """Validate the whole row (fields, choices, constraints), then save it with a history entry.

    Raises ``ValidationError`` with messages in the active language; nothing is written then.
    """
    exclude = list(exclude_validation) or None
    # Check constraints stay in the database as the last line of defence; their rules are also
    # field validators and model.clean(), which give field-level messages without the query
    # Django would build per check constraint. Unique constraints need the database: ask it.
    errors: dict[str, list[ValidationError]] = {}
    try:
        instance.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for constraint in instance._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            try:
                constraint.validate(type(instance), instance, exclude=exclude)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor
    instance._change_reason = reason
    instance.save()
    return instance
