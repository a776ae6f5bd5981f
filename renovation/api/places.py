"""Streets, communities and neighbourhoods."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework import serializers

from renovation.places.models import Community, Neighbourhood, Street

from .base import ChangedSinceFilter, OpenDataViewSet, WholeNumberFilter


class StreetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Street
        fields = ["id", "code", "name"]


class CommunitySerializer(serializers.ModelSerializer):
    street = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="The street's code.")

    class Meta:
        model = Community
        fields = ["id", "name", "street"]


class NeighbourhoodSerializer(serializers.ModelSerializer):
    street = serializers.CharField(source="community.street.code", read_only=True, help_text="The street's code.")

    class Meta:
        model = Neighbourhood
        fields = [
            "id",
            "name",
            "community",
            "street",
            "address",
            "built_year",
            "building_count",
            "household_count",
            "floor_area",
            "management_type",
        ]


class StreetFilter(filters.FilterSet):
    changed_since = ChangedSinceFilter(sources=[(Street, "id")])

    class Meta:
        model = Street
        fields: list[str] = []


class CommunityFilter(filters.FilterSet):
    street = filters.CharFilter(field_name="street__code", help_text="Street code, e.g. anyang.")
    changed_since = ChangedSinceFilter(sources=[(Community, "id")])

    class Meta:
        model = Community
        fields: list[str] = []


class NeighbourhoodFilter(filters.FilterSet):
    street = filters.CharFilter(field_name="community__street__code", help_text="Street code, e.g. anyang.")
    community = WholeNumberFilter(field_name="community_id")
    changed_since = ChangedSinceFilter(sources=[(Neighbourhood, "id")])

    class Meta:
        model = Neighbourhood
        fields: list[str] = []


class StreetViewSet(OpenDataViewSet):
    """Streets and towns (街道/镇)."""

    serializer_class = StreetSerializer
    filterset_class = StreetFilter

    def get_queryset(self) -> QuerySet[Street]:
        return Street.objects.all()


class CommunityViewSet(OpenDataViewSet):
    """Communities (社区) of each street."""

    serializer_class = CommunitySerializer
    filterset_class = CommunityFilter

    def get_queryset(self) -> QuerySet[Community]:
        return Community.objects.select_related("street")


class NeighbourhoodViewSet(OpenDataViewSet):
    """Neighbourhoods (小区): year built, buildings, households, floor area, management."""

    serializer_class = NeighbourhoodSerializer
    filterset_class = NeighbourhoodFilter

    def get_queryset(self) -> QuerySet[Neighbourhood]:
        return Neighbourhood.objects.select_related("community__street")
