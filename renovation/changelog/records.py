"""The one way services write a domain row: validate, save, and record who and why in history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
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
    # Model.full_clean() without its check constraints, in its order: check constraints stay in
    # the database as the last line of defence; their rules are also field validators and
    # model.clean(), which give field-level messages without the query Django would build per
    # check constraint. Unique constraints need the database: ask it. A foreign key whose row was
    # read or saved here is not asked about again (Django runs one query per key to prove the row
    # exists; the database's own foreign key still refuses a row deleted meanwhile).
    errors: dict[str, list[ValidationError]] = {}
    try:
        instance.clean_fields(exclude={*(exclude or ()), *_loaded_relations(instance)})
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    # Uniqueness only for the fields that passed (as full_clean does).
    unchecked = {*(exclude or ()), *(name for name in errors if name != NON_FIELD_ERRORS)}
    try:
        instance.validate_unique(exclude=unchecked)
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


def _loaded_relations(instance: models.Model) -> list[str]:
    """The foreign keys of ``instance`` that point at a row this process read or saved: the
    related object is held on the instance, is not new, and is the one the key names."""
    names = []
    for field in instance._meta.concrete_fields:
        if not field.many_to_one or not field.is_cached(instance):
            continue
        related = field.get_cached_value(instance)
        if (
            related is not None
            and not related._state.adding
            and field.get_limit_choices_to() in ({}, None)
            and getattr(related, field.target_field.attname) == getattr(instance, field.attname)
        ):
            names.append(field.name)
    return names
