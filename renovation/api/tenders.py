"""Tenders with their public steps only. Bids are read through the seal's one reader
(``tendering.selectors.opened_rows`` → ``seal.opened``): before the opening time a tender shows
no bid, no count of bids, nothing derived from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from renovation.tendering import selectors as tendering_selectors
from renovation.tendering.models import SEALED_STATUSES, Tender, TenderStatus

from .base import ChangedSinceFilter, OpenDataViewSet, WholeNumberFilter


class EvaluationSerializer(serializers.Serializer):
    compliant = serializers.BooleanField()
    technical_score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    price_score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    total_score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    rank = serializers.IntegerField(allow_null=True)


class OpeningRowSerializer(serializers.Serializer):
    """One line of the opening record (开标记录), published at the opening time."""

    bidder = serializers.CharField(source="bidder_name")
    uscc = serializers.CharField(help_text="The company's unified social credit code.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    duration_days = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()
    digest = serializers.CharField(help_text="SHA-256 of `sealed_content`, as on the bidder's receipt.")
    sealed_content = serializers.CharField(source="canonical")
    evaluation = serializers.SerializerMethodField()

    @extend_schema_field(EvaluationSerializer(allow_null=True))
    def get_evaluation(self, row: tendering_selectors.OpeningRow) -> dict[str, Any] | None:
        if not self.context.get("evaluation_public") or row.evaluation is None:
            return None
        return EvaluationSerializer(row.evaluation).data


class AwardSerializer(serializers.Serializer):
    bidder = serializers.CharField(source="bidder.name")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    duration_days = serializers.IntegerField()
    awarded_at = serializers.DateTimeField()
    contract = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_contract(self, award: Any) -> int | None:
        contract = getattr(award, "contract", None)
        return contract.pk if contract is not None else None


class TenderSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True, help_text="Project code.")
    kind = serializers.CharField(source="kind.name", read_only=True)
    status = serializers.SerializerMethodField(help_text="The status as the clock has it (sealed until the opening).")
    opening_record = serializers.SerializerMethodField(help_text="Null until the opening time.")
    award = serializers.SerializerMethodField()

    class Meta:
        model = Tender
        fields = [
            "id",
            "code",
            "ocid",
            "title",
            "project",
            "work_items",
            "kind",
            "ceiling_price",
            "method",
            "price_weight",
            "technical_weight",
            "announcement",
            "bid_period_start",
            "bid_period_end",
            "opening_at",
            "status",
            "announced_at",
            "evaluated_at",
            "publicity_start",
            "publicity_end",
            "failed_at",
            "failure_reason",
            "previous",
            "opening_record",
            "award",
        ]

    def _now(self) -> datetime:
        return self.context.get("now") or timezone.now()

    @extend_schema_field(serializers.ChoiceField(choices=TenderStatus.choices))
    def get_status(self, tender: Tender) -> str:
        return tender.phase(self._now())

    @extend_schema_field(OpeningRowSerializer(many=True, allow_null=True))
    def get_opening_record(self, tender: Tender) -> list[dict[str, Any]] | None:
        rows = tendering_selectors.opened_rows(tender, self._now())
        if rows is None:
            return None
        context = {**self.context, "evaluation_public": tendering_selectors.evaluation_public(tender)}
        return OpeningRowSerializer(rows, many=True, context=context).data

    @extend_schema_field(AwardSerializer(allow_null=True))
    def get_award(self, tender: Tender) -> dict[str, Any] | None:
        award = getattr(tender, "award", None)
        return AwardSerializer(award).data if award is not None else None


def phase_condition(phase: str, now: datetime) -> Q:
    """The stored status lags the clock until a service catches it up; filter as it is shown."""
    sealed = Q(status__in=SEALED_STATUSES)
    if phase == TenderStatus.OPENED:
        return Q(status=TenderStatus.OPENED) | (sealed & Q(opening_at__lte=now))
    if phase == TenderStatus.BIDDING:
        return sealed & Q(opening_at__gt=now, bid_period_start__lte=now)
    if phase == TenderStatus.ANNOUNCED:
        return sealed & Q(bid_period_start__gt=now)
    return Q(status=phase)


PUBLIC_TENDER_STATUSES = [(value, label) for value, label in TenderStatus.choices if value != TenderStatus.DRAFT]


class TenderFilter(filters.FilterSet):
    project = filters.CharFilter(field_name="project__code", help_text="Project code.")
    street = filters.CharFilter(field_name="project__neighbourhood__community__street__code")
    plan_year = WholeNumberFilter(field_name="project__plan_year")
    status = filters.ChoiceFilter(choices=PUBLIC_TENDER_STATUSES, method="filter_phase")
    changed_since = ChangedSinceFilter(sources=[(Tender, "id")])

    class Meta:
        model = Tender
        fields: list[str] = []

    def filter_phase(self, queryset: QuerySet[Tender], name: str, value: str) -> QuerySet[Tender]:
        return queryset.filter(phase_condition(value, timezone.now()))


class TenderViewSet(OpenDataViewSet):
    """Tenders of the street channel (业标街管), announced or later, with their public steps:
    announcement, bid period, the opening record once the opening time has passed, scores during
    publicity and after, the award."""

    serializer_class = TenderSerializer
    filterset_class = TenderFilter

    def get_queryset(self) -> QuerySet[Tender]:
        return tendering_selectors.with_steps(tendering_selectors.public_tenders())

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}
