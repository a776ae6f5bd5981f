"""The procurement kinds a new installation starts with (migration 0002 seeds them): the seven
kinds of works and services that must be publicly tendered in Wenzhou practice, and a catch-all
kind tendered only when its budget reaches the threshold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from renovation.accounts.permissions import is_bureau
from renovation.changelog.records import apply_changes, save_recorded

from .models import ProcurementKind

DEFAULT_KINDS = [
    ("property_service", "物业服务人选聘", True, "services"),
    ("construction", "改造工程施工", True, "works"),
    ("design", "工程设计", True, "services"),
    ("supervision", "工程监理", True, "services"),
    ("equipment", "电梯等设备采购与安装", True, "goods"),
    ("security_systems", "监控安防与智能化系统", True, "works"),
    ("maintenance_fund_works", "使用专项维修资金的维修工程", True, "works"),
    ("other", "其他货物和服务", False, "goods"),
]


def default_kinds_ensure() -> None:
    """Put back any default kind that is missing (a flushed test database, a new deployment)."""
    for order, (code, name, must, category) in enumerate(DEFAULT_KINDS, start=1):
        ProcurementKind.objects.get_or_create(
            code=code, defaults={"name": name, "must_tender": must, "category": category, "sort_order": order}
        )


def kind(code: str) -> ProcurementKind:
    default_kinds_ensure()
    return ProcurementKind.objects.get(code=code)


PROCUREMENT_KIND_FIELDS = ("code", "name", "must_tender", "category", "sort_order")


def procurement_kind_save(*, actor: Any, data: Mapping[str, Any], kind: Any = None) -> Any:
    """The must-tender list is the bureau's to keep."""
    if not is_bureau(actor):
        raise PermissionDenied(_("Only housing bureau staff keep the list of procurement kinds."))
    kind = kind or ProcurementKind()
    apply_changes(kind, data, PROCUREMENT_KIND_FIELDS)
    with transaction.atomic():
        return save_recorded(kind, actor=actor, reason="procurement_kind_save")
