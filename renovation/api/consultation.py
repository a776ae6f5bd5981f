"""Consultation and satisfaction tallies per project: counts, shares and averages only, as the
project page shows them (``consultation.selectors.project_consultation``); never a household."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from renovation.consultation.models import ConsultationRule, DecisionItem, Intent, SatisfactionRating, Vote
from renovation.consultation.selectors import project_consultation
from renovation.projects.models import Project

from .base import BatchedViewSet, ChangedSinceFilter, StableCursorPagination
from .projects import ProjectFilter


class TallySerializer(serializers.Serializer):
    households = serializers.IntegerField()
    from_register = serializers.BooleanField(help_text="False: the neighbourhood's household figure is used.")
    agree = serializers.IntegerField()
    disagree = serializers.IntegerField()
    abstain = serializers.IntegerField()
    responded = serializers.IntegerField()
    agree_percent = serializers.DecimalField(max_digits=5, decimal_places=1)
    responded_percent = serializers.DecimalField(max_digits=5, decimal_places=1)
    threshold = serializers.CharField(source="threshold_label", help_text="e.g. 2/3")
    needed = serializers.IntegerField(help_text="Agreeing households the threshold asks for.")
    met = serializers.BooleanField()


class OptionSerializer(serializers.Serializer):
    label = serializers.CharField()
    votes = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=1)


class DecisionSerializer(serializers.Serializer):
    question = serializers.CharField(source="item.question")
    opens_on = serializers.DateField(source="item.opens_on")
    closes_on = serializers.DateField(source="item.closes_on")
    is_open = serializers.BooleanField()
    total = serializers.IntegerField()
    options = OptionSerializer(many=True)


class CategoryAverageSerializer(serializers.Serializer):
    category = serializers.CharField()
    average = serializers.DecimalField(max_digits=3, decimal_places=1)


class SatisfactionSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    households = serializers.IntegerField()
    response_percent = serializers.DecimalField(max_digits=5, decimal_places=1)
    average = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True, help_text="Out of 5.")
    by_category = serializers.SerializerMethodField()

    @extend_schema_field(CategoryAverageSerializer(many=True))
    def get_by_category(self, summary: Any) -> list[dict[str, Any]]:
        rows = [{"category": label, "average": average} for label, average in summary.by_category]
        return CategoryAverageSerializer(rows, many=True).data


class ConsultationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="project.pk", help_text="The project's id.")
    project = serializers.CharField(source="project.code", help_text="Project code.")
    started = serializers.BooleanField()
    collecting = serializers.BooleanField(help_text="Intents are being collected now.")
    tally = TallySerializer()
    decisions = DecisionSerializer(many=True)
    satisfaction = SatisfactionSerializer(allow_null=True, help_text="Once the works are accepted.")


class ConsultationFilter(ProjectFilter):
    changed_since = ChangedSinceFilter(
        sources=[
            (Project, "id"),
            (ConsultationRule, "project_id"),
            (Intent, "project_id"),
            (DecisionItem, "project_id"),
            (Vote, "item__project_id"),
            (SatisfactionRating, "project_id"),
        ]
    )


class ProjectByProjectPages(StableCursorPagination):
    """Each project's figures come from the project page's own selector (a few queries per
    project), so these pages stay small."""

    max_page_size = 50

    def __init__(self) -> None:
        self.page_size = min(settings.API_PAGE_SIZE, self.max_page_size)


class ConsultationViewSet(BatchedViewSet):
    """Residents' say per project: the intent tally against its threshold, votes on decision
    items, satisfaction once the works are accepted. Counts, shares and averages only."""

    serializer_class = ConsultationSerializer
    filterset_class = ConsultationFilter
    pagination_class = ProjectByProjectPages
    lookup_field = "pk"

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.select_related("neighbourhood__community__street")

    def page_context(self, objects: list[Any]) -> dict[str, Any]:
        return {}

    def get_serializer(self, instance: Any = None, *args: Any, **kwargs: Any) -> Any:
        if isinstance(instance, list):
            instance = [{"project": project, **project_consultation(project)} for project in instance]
        elif isinstance(instance, Project):
            instance = {"project": instance, **project_consultation(instance)}
        return super().get_serializer(instance, *args, **kwargs)
