"""Contracts (with what they allow and what was paid), change orders, payments and quarterly
disclosures: the figures of the project pages, from the finance selectors."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from renovation.finance.models import EntryKind, LedgerEntry, QuarterlyDisclosure
from renovation.finance.public import public_counterparty
from renovation.finance.selectors import contract_positions, figures_from_disclosure
from renovation.tendering.models import ChangeOrder, ChangeOrderStatus, Contract

from .base import BatchedViewSet, ChangedSinceFilter, OpenDataViewSet, WholeNumberFilter

MONEY = {"max_digits": 16, "decimal_places": 2}


class ChangeOrderSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number", read_only=True)

    class Meta:
        model = ChangeOrder
        fields = ["id", "contract", "contract_number", "sequence", "reason", "amount_change", "status", "decided_on"]


class PositionSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY)
    approved_changes = serializers.DecimalField(**MONEY)
    ceiling = serializers.DecimalField(**MONEY, help_text="Contract amount plus approved change orders.")
    paid = serializers.DecimalField(**MONEY)
    remaining = serializers.DecimalField(**MONEY)


class ContractSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True, help_text="Project code.")
    contractor = serializers.CharField(source="contractor.name", read_only=True)
    tender = serializers.SerializerMethodField(help_text="Tender id; null when contracted directly (直接发包).")
    direct = serializers.BooleanField(source="is_direct", read_only=True)
    position = serializers.SerializerMethodField()
    change_orders = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "project",
            "contractor",
            "tender",
            "direct",
            "amount",
            "signed_on",
            "start_on",
            "end_on",
            "work_items",
            "position",
            "change_orders",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_tender(self, contract: Contract) -> int | None:
        return contract.award.tender_id if contract.award_id else None

    @extend_schema_field(PositionSerializer)
    def get_position(self, contract: Contract) -> dict[str, Any]:
        return PositionSerializer(self.context["positions"][contract.pk]).data

    @extend_schema_field(ChangeOrderSerializer(many=True))
    def get_change_orders(self, contract: Contract) -> list[dict[str, Any]]:
        return ChangeOrderSerializer(contract.change_orders.all(), many=True).data


def _project_filters(prefix: str) -> dict[str, filters.Filter]:
    return {
        "project": filters.CharFilter(field_name=f"{prefix}code", help_text="Project code."),
        "street": filters.CharFilter(field_name=f"{prefix}neighbourhood__community__street__code"),
        "plan_year": WholeNumberFilter(field_name=f"{prefix}plan_year"),
    }


ContractFilter = type(
    "ContractFilter",
    (filters.FilterSet,),
    {
        **_project_filters("project__"),
        "changed_since": ChangedSinceFilter(sources=[(Contract, "id"), (ChangeOrder, "contract_id")]),
        "Meta": type("Meta", (), {"model": Contract, "fields": []}),
    },
)


class ContractViewSet(BatchedViewSet):
    """Signed contracts, tendered or direct, with approved changes and what has been paid."""

    serializer_class = ContractSerializer
    filterset_class = ContractFilter

    def get_queryset(self) -> QuerySet[Contract]:
        changes = ChangeOrder.objects.select_related("contract").order_by("sequence")
        return (
            Contract.objects.select_related("project", "contractor", "award")
            .prefetch_related("work_items", Prefetch("change_orders", queryset=changes))
            .order_by()
        )

    def page_context(self, objects: list[Any]) -> dict[str, Any]:
        return {"positions": contract_positions([contract.pk for contract in objects])}


ChangeOrderFilter = type(
    "ChangeOrderFilter",
    (filters.FilterSet,),
    {
        **_project_filters("contract__project__"),
        "status": filters.ChoiceFilter(choices=ChangeOrderStatus.choices),
        "changed_since": ChangedSinceFilter(sources=[(ChangeOrder, "id")]),
        "Meta": type("Meta", (), {"model": ChangeOrder, "fields": []}),
    },
)


class ChangeOrderViewSet(OpenDataViewSet):
    """Contract changes (变更): reason, amount, whether approved."""

    serializer_class = ChangeOrderSerializer
    filterset_class = ChangeOrderFilter

    def get_queryset(self) -> QuerySet[ChangeOrder]:
        return ChangeOrder.objects.select_related("contract")


class PaymentSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True, help_text="Project code.")
    counterparty = serializers.SerializerMethodField()
    contract_number = serializers.CharField(source="contract.number", read_only=True, allow_null=True, default=None)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "project",
            "booked_on",
            "amount",
            "counterparty",
            "purpose",
            "contract",
            "contract_number",
            "invoice_number",
            "bank_reference",
            "corrects",
            "note",
        ]

    def get_counterparty(self, entry: LedgerEntry) -> str:
        return public_counterparty(entry.kind, entry.source, entry.counterparty)


PaymentFilter = type(
    "PaymentFilter",
    (filters.FilterSet,),
    {
        **_project_filters("project__"),
        "changed_since": ChangedSinceFilter(sources=[(LedgerEntry, "id")]),
        "Meta": type("Meta", (), {"model": LedgerEntry, "fields": []}),
    },
)


class PaymentViewSet(OpenDataViewSet):
    """Every payment the bank agent booked (业财代理), corrections as their own signed lines."""

    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter

    def get_queryset(self) -> QuerySet[LedgerEntry]:
        return LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).select_related("project", "contract")


class IncomeSerializer(serializers.Serializer):
    central = serializers.DecimalField(**MONEY)
    provincial = serializers.DecimalField(**MONEY)
    city = serializers.DecimalField(**MONEY)
    resident = serializers.DecimalField(**MONEY)
    other = serializers.DecimalField(**MONEY)


class FiguresSerializer(serializers.Serializer):
    opening_balance = serializers.DecimalField(**MONEY)
    income = IncomeSerializer(help_text="Income of the quarter by source.")
    income_total = serializers.DecimalField(**MONEY)
    payments_total = serializers.DecimalField(**MONEY)
    closing_balance = serializers.DecimalField(**MONEY)
    entry_count = serializers.IntegerField()


class DisclosureSerializer(serializers.ModelSerializer):
    """A disclosed quarter's frozen figures, as the project page shows them."""

    project = serializers.CharField(source="project.code", read_only=True, help_text="Project code.")
    figures = serializers.SerializerMethodField()

    class Meta:
        model = QuarterlyDisclosure
        fields = ["id", "project", "year", "quarter", "published_at", "figures"]

    @extend_schema_field(FiguresSerializer)
    def get_figures(self, disclosure: QuarterlyDisclosure) -> dict[str, Any]:
        return FiguresSerializer(figures_from_disclosure(disclosure)).data


DisclosureFilter = type(
    "DisclosureFilter",
    (filters.FilterSet,),
    {
        **_project_filters("project__"),
        "year": WholeNumberFilter(),
        "quarter": WholeNumberFilter(),
        "changed_since": ChangedSinceFilter(sources=[(QuarterlyDisclosure, "id")]),
        "Meta": type("Meta", (), {"model": QuarterlyDisclosure, "fields": []}),
    },
)


class DisclosureViewSet(OpenDataViewSet):
    """Quarterly disclosures (季度公开): figures frozen when published, never recomputed."""

    serializer_class = DisclosureSerializer
    filterset_class = DisclosureFilter

    def get_queryset(self) -> QuerySet[QuarterlyDisclosure]:
        return QuarterlyDisclosure.objects.select_related("project")
