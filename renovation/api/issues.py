"""Public site issues (监督反馈): accepted onwards, with photos; never who reported them."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework import serializers

from renovation.supervision.models import PUBLIC_STATUSES, IssueCategory, IssueStatus, SiteIssue, SiteIssuePhoto
from renovation.supervision.selectors import public_coordinate, public_issue_list

from .base import ChangedSinceFilter, OpenDataViewSet, WholeNumberFilter


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = SiteIssuePhoto
        fields = ["kind", "url", "thumbnail_url", "width", "height", "taken_at"]

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, photo: SiteIssuePhoto) -> str:
        return self._absolute(photo.image_url)

    def get_thumbnail_url(self, photo: SiteIssuePhoto) -> str:
        return self._absolute(photo.thumbnail_url)


class PublicCoordinateField(serializers.DecimalField):
    """WGS-84, rounded as on the map (MAP_ISSUE_DECIMALS places: the building, never the flat)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "WGS-84, rounded to the building (MAP_ISSUE_DECIMALS places).")
        super().__init__(
            max_digits=9, decimal_places=settings.MAP_ISSUE_DECIMALS, read_only=True, allow_null=True, **kwargs
        )

    def to_representation(self, value):
        return super().to_representation(public_coordinate(value))


class SiteIssueSerializer(serializers.ModelSerializer):
    """Positions are rounded as on the map: the building, never the flat."""

    project = serializers.CharField(source="project.code", read_only=True, help_text="Project code.")
    street = serializers.CharField(source="project.neighbourhood.community.street.code", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    latitude = PublicCoordinateField()
    longitude = PublicCoordinateField()

    class Meta:
        model = SiteIssue
        fields = [
            "id",
            "project",
            "street",
            "category",
            "severity",
            "status",
            "description",
            "location",
            "latitude",
            "longitude",
            "created_at",
            "accepted_at",
            "deadline",
            "rectified_at",
            "confirmed_at",
            "overdue",
            "response",
            "photos",
        ]


PUBLIC_STATUS_CHOICES = [(value, label) for value, label in IssueStatus.choices if value in PUBLIC_STATUSES]


class SiteIssueFilter(filters.FilterSet):
    project = filters.CharFilter(field_name="project__code", help_text="Project code.")
    street = filters.CharFilter(field_name="project__neighbourhood__community__street__code")
    plan_year = WholeNumberFilter(field_name="project__plan_year")
    status = filters.ChoiceFilter(choices=PUBLIC_STATUS_CHOICES)
    category = filters.ChoiceFilter(choices=IssueCategory.choices)
    changed_since = ChangedSinceFilter(sources=[(SiteIssue, "id")])

    class Meta:
        model = SiteIssue
        fields: list[str] = []


class SiteIssueViewSet(OpenDataViewSet):
    """Site issues the public may see: accepted for rectification onwards (a new or rejected
    report stays private), with before and after photos."""

    serializer_class = SiteIssueSerializer
    filterset_class = SiteIssueFilter

    def get_queryset(self) -> QuerySet[SiteIssue]:
        return public_issue_list()
