"""Projects with their works, dates, budget by source, lateness and contractors; confirmed
progress. Every figure is read from the selectors the project pages use."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.compat import LONG_SEPARATORS, SHORT_SEPARATORS
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from renovation.opendata import stored
from renovation.projects import selectors as project_selectors
from renovation.projects.lateness import Lateness
from renovation.projects.models import (
    ProgressReport,
    ProgressReportStatus,
    Project,
    ProjectStatus,
    WorkCategory,
    WorkItem,
)
from renovation.tendering.selectors import contractors_by_project

from .base import BatchedViewSet, ChangedSinceFilter, OpenDataViewSet, WholeNumberFilter


class LatenessSerializer(serializers.Serializer):
    """周监测、预警 as the project page shows it (``projects/lateness.py``)."""

    overdue_days = serializers.IntegerField()
    late_start_days = serializers.IntegerField()
    stalled_days = serializers.IntegerField()
    forecast_finish = serializers.DateField(source="forecast.finish", allow_null=True)
    forecast_unavailable_reason = serializers.CharField(source="forecast.reason")
    forecast_late_days = serializers.IntegerField()


class WorkItemSerializer(serializers.ModelSerializer):
    lateness = serializers.SerializerMethodField()

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "category",
            "description",
            "quantity",
            "unit",
            "budget",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "progress",
            "status",
            "lateness",
        ]

    @extend_schema_field(LatenessSerializer(allow_null=True))
    def get_lateness(self, item: WorkItem) -> dict[str, Any] | None:
        found = self.context.get("lateness", {}).get(item.project_id)
        value: Lateness | None = found.items.get(item.pk) if found else None
        return LatenessSerializer(value).data if value else None


class BudgetSerializer(serializers.Serializer):
    central = serializers.DecimalField(max_digits=14, decimal_places=2, source="budget_central")
    provincial = serializers.DecimalField(max_digits=14, decimal_places=2, source="budget_provincial")
    city = serializers.DecimalField(max_digits=14, decimal_places=2, source="budget_city")
    resident = serializers.DecimalField(max_digits=14, decimal_places=2, source="budget_resident")
    other = serializers.DecimalField(max_digits=14, decimal_places=2, source="budget_other")
    total = serializers.DecimalField(max_digits=16, decimal_places=2, source="budget_total")


class ContractorSerializer(serializers.Serializer):
    company = serializers.CharField()
    works = serializers.ListField(child=serializers.CharField())
    contracts = serializers.ListField(child=serializers.CharField())
    direct = serializers.BooleanField(help_text="Every one of its contracts here was placed without a tender.")


class ProjectSerializer(serializers.ModelSerializer):
    street = serializers.CharField(source="neighbourhood.community.street.code", read_only=True)
    community = serializers.IntegerField(source="neighbourhood.community_id", read_only=True)
    page = serializers.SerializerMethodField(help_text="The project's public page.")
    budget = BudgetSerializer(source="*", read_only=True)
    work_items = WorkItemSerializer(many=True, read_only=True)
    lateness = serializers.SerializerMethodField()
    contractors = serializers.SerializerMethodField(
        help_text="The construction units: the companies holding its signed contracts, with the works they cover."
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "page",
            "street",
            "community",
            "neighbourhood",
            "plan_year",
            "status",
            "summary",
            "budget",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "progress",
            "supervising_engineer",
            "lateness",
            "contractors",
            "work_items",
        ]

    def get_page(self, project: Project) -> str:
        return f"/projects/{project.slug}/"

    @extend_schema_field(LatenessSerializer(allow_null=True))
    def get_lateness(self, project: Project) -> dict[str, Any] | None:
        found = self.context.get("lateness", {}).get(project.pk)
        return LatenessSerializer(found.project).data if found else None

    @extend_schema_field(ContractorSerializer(many=True))
    def get_contractors(self, project: Project) -> list[dict[str, Any]]:
        return ContractorSerializer(self.context.get("contractors", {}).get(project.pk, []), many=True).data


class ProjectFilter(filters.FilterSet):
    street = filters.CharFilter(method="filter_public", help_text="Street code, e.g. anyang.")
    plan_year = WholeNumberFilter(method="filter_public")
    status = filters.ChoiceFilter(choices=ProjectStatus.choices, method="filter_public")
    category = filters.ChoiceFilter(
        choices=WorkCategory.choices, method="filter_public", help_text="Projects with works of this category."
    )
    changed_since = ChangedSinceFilter(
        sources=[(Project, "id"), (WorkItem, "project_id"), (ProgressReport, "work_item__project_id")]
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def filter_public(self, queryset: QuerySet[Project], name: str, value: Any) -> QuerySet[Project]:
        # The project index's own filters (one rule for the page and the API).
        return project_selectors.project_filter(queryset, **{name: value})


class StoredResultsRenderer(JSONRenderer):
    """The API's JSON, with a page's results as the texts kept per project when the view gives
    them (``stored_results`` on the response): the page's own fields are rendered, the results'
    texts are put in as they are. Byte for byte what JSONRenderer renders from the same data."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        texts = getattr((renderer_context or {}).get("response"), "stored_results", None)
        if texts is None or self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        head = super().render({**data, "results": []}, accepted_media_type, renderer_context)
        if not head.endswith(b"[]}"):  # "results" is the last field of a page
            raise ValueError("a page's results must come last")
        separator = (SHORT_SEPARATORS if self.compact else LONG_SEPARATORS)[0]
        return head[:-2] + separator.join(texts).encode() + b"]}"


def projects_for_api() -> QuerySet[Project]:
    """Projects with what their representation reads, loaded with them."""
    items = WorkItem.objects.order_by("category", "sort_order", "pk")
    return Project.objects.select_related(*project_selectors.PROJECT_RELATED).prefetch_related(
        Prefetch("work_items", queryset=items)
    )


def projects_context(projects: list[Project], today: date) -> dict[str, Any]:
    """What the representations of these projects read, for all of them at once."""
    return {
        "lateness": project_selectors.lateness_for_projects(projects, today),
        "contractors": contractors_by_project([project.pk for project in projects]),
    }


def project_api_texts(projects: list[Project], today: date) -> dict[int, str]:
    """Each project's representation as JSON text, as a page of the list renders it (kept per
    project by opendata.stored; ``projects`` loaded by ``projects_for_api``)."""
    context = projects_context(projects, today)
    renderer = StoredResultsRenderer()
    return {
        project.pk: renderer.render(ProjectSerializer(project, context=context).data).decode() for project in projects
    }


class ProjectViewSet(BatchedViewSet):
    """Renovation projects (改造项目) with their works, planned and actual dates, budget by source,
    status, progress, lateness and construction units."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    renderer_classes = [StoredResultsRenderer]

    def get_queryset(self) -> QuerySet[Project]:
        return projects_for_api()

    def page_context(self, objects: list[Any]) -> dict[str, Any]:
        return projects_context(objects, timezone.localdate())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        """A page of projects: each one's stored text where it is current (opendata.stored), the
        others rendered live (the page in one query when every text is current)."""
        if request.accepted_renderer.get_indent(request.accepted_media_type, self.get_renderer_context()) is not None:
            return super().list(request, *args, **kwargs)  # pretty-printed on request: rendered live
        queryset = self.filter_queryset(Project.objects.select_related("open_data_text").only(*_STORED_FIELDS))
        objects = list(self.paginate_queryset(queryset) or [])
        now = timezone.now()
        texts = {project.pk: stored.stored_api_text(project, now) for project in objects}
        missing = [pk for pk, text in texts.items() if text is None]
        if missing:
            live = list(self.get_queryset().filter(pk__in=missing))
            texts.update(project_api_texts(live, timezone.localdate(now)))
        response = self.get_paginated_response([])
        # One deleted since the page was read is left out.
        response.stored_results = [texts[project.pk] for project in objects if texts.get(project.pk) is not None]
        return response


_STORED_FIELDS = (
    "pk",
    "open_data_text__api",
    "open_data_text__signatures",  # its signature is checked before it is sent
    "open_data_text__generation",
    "open_data_text__built_generation",
    "open_data_text__build",
    "open_data_text__valid_until",
)


class ProgressSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="work_item.project.code", read_only=True, help_text="Project code.")
    category = serializers.CharField(source="work_item.category", read_only=True)
    work = serializers.CharField(source="work_item.description", read_only=True)
    reached_on = serializers.DateField(
        source="reported_on", read_only=True, help_text="The day it was reached on site."
    )
    confirmed_at = serializers.DateTimeField(source="reviewed_at", read_only=True)

    class Meta:
        model = ProgressReport
        fields = ["id", "project", "work_item", "category", "work", "percent", "reached_on", "confirmed_at"]


class ProgressFilter(filters.FilterSet):
    project = filters.CharFilter(field_name="work_item__project__code", help_text="Project code.")
    street = filters.CharFilter(field_name="work_item__project__neighbourhood__community__street__code")
    plan_year = WholeNumberFilter(field_name="work_item__project__plan_year")
    category = filters.ChoiceFilter(field_name="work_item__category", choices=WorkCategory.choices)
    changed_since = ChangedSinceFilter(sources=[(ProgressReport, "id")])

    class Meta:
        model = ProgressReport
        fields: list[str] = []


class ProgressViewSet(OpenDataViewSet):
    """Confirmed progress (the history that moved the official figures); reports awaiting
    confirmation or rejected never appear."""

    serializer_class = ProgressSerializer
    filterset_class = ProgressFilter

    def get_queryset(self) -> QuerySet[ProgressReport]:
        return ProgressReport.objects.filter(status=ProgressReportStatus.CONFIRMED).select_related("work_item__project")
