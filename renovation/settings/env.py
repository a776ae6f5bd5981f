"""Strict readers for settings from the environment.

Every reader accepts ``NAME_FILE`` as an alternative to ``NAME`` so that secrets can come from
files (Docker/systemd credentials) instead of the process environment. A value that cannot be
parsed raises ``ImproperlyConfigured`` at start-up rather than misbehaving later.
"""

import os
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            with open(file_name, encoding="utf-8") as handle:
                return handle.read().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name)


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name)
    if value is None or (required and not value):
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default if default is not None else ""
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from exc


def env_share(name: str, default: str) -> Decimal:
    """A share between 0 and 1 written as a decimal ("0.001" = 0.1%)."""
    value = _raw(name)
    text = default if value is None or not value.strip() else value.strip()
    try:
        share = Decimal(text)
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} must be a decimal share such as 0.001, not {text!r}.") from exc
    if not share.is_finite() or not Decimal("0") <= share < Decimal("1"):
        raise ImproperlyConfigured(f"{name} must be at least 0 and below 1, not {text!r}.")
    return share


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]
