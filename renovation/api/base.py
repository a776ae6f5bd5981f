"""What every open-data endpoint shares: key authentication, rates, cursor pages, validators
(``ETag``) and the "changed since" filter."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms as django_forms
from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.middleware.http import ConditionalGetMiddleware
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from renovation.public.cache import depends_on, next_midnight

from .authentication import ApiKeyAuthentication, raw_key
from .throttling import ApiRateThrottle


class StableCursorPagination(CursorPagination):
    """Cursor pages over the primary key: stable while rows are added, and cheap at any depth."""

    ordering = "pk"
    page_size_query_param = "page_size"
    max_page_size = 500

    def __init__(self) -> None:
        self.page_size = settings.API_PAGE_SIZE


_conditional = ConditionalGetMiddleware(lambda request: None)


class OpenDataMixin:
    """Authentication by key, rates by key or address, and an ETag on every GET: a client that
    sends ``If-None-Match`` with the same tag gets 304 and no body."""

    authentication_classes = [ApiKeyAuthentication]
    throttle_classes = [ApiRateThrottle]
    renderer_classes = [JSONRenderer]
    public_cache = True  # False where the answer varies by more than the URL (content negotiation)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # authenticated and throttled
        if self.public_cache and request.method == "GET" and request.auth is None:
            # The same for every caller without a key: stored like a public page; the stored copy
            # is served only after the caller's rate is checked (the "api" gate, api/apps.py).
            depends_on(request._request, "api", until=next_midnight(), gate="api")

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            django_request = request._request
            if hasattr(response, "add_post_render_callback"):
                response.add_post_render_callback(
                    lambda rendered: _conditional.process_response(django_request, rendered)
                )
            else:  # a plain HttpResponse (Open311's XML and JSON documents) is complete already
                response = _conditional.process_response(django_request, response)
        return response


class OpenDataViewSet(OpenDataMixin, viewsets.ReadOnlyModelViewSet):
    pagination_class = StableCursorPagination
    filter_backends = [filters.DjangoFilterBackend]


def cache_gate(request: HttpRequest) -> bool:
    """Before a stored API page is served: a caller with a key gets it fresh (rated by its key,
    perhaps signed in); a caller without one within the anonymous rate gets the stored page;
    over the rate, fresh too, so that the view answers 429 as it always does."""
    drf_request = Request(request)
    if raw_key(drf_request):
        return False
    return ApiRateThrottle().allow_request(drf_request, None)


def changed_since(models: list[tuple[type[Model], str]], since: datetime) -> Q:
    """Rows whose own history, or the history of the rows given with their path to it, has an
    entry at or after ``since``. Each pair is (model, lookup from the history row to our pk)."""
    condition = Q(pk__in=[])
    for model, path in models:
        condition |= Q(pk__in=model.history.filter(history_date__gte=since).values(path))
    return condition


def in_utc(moment: datetime) -> datetime:
    """A moment as UTC: databases refuse odd offsets (PostgreSQL's +23:31), and a moment at the
    edge of the calendar has no UTC equivalent; that is bad input, a 400."""
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError) as error:
        raise django_forms.ValidationError(_("Enter a date and time between the years 1 and 9999.")) from error


class UtcDateTimeField(IsoDateTimeField):
    def to_python(self, value: Any) -> datetime | None:
        moment = super().to_python(value)
        return in_utc(moment) if moment is not None else None


@extend_schema_field(OpenApiTypes.DATETIME)
class ChangedSinceFilter(filters.IsoDateTimeFilter):
    """``changed_since``: rows with any change (by history) at or after this ISO 8601 moment."""

    field_class = UtcDateTimeField

    def __init__(self, *args: Any, sources: list[tuple[type[Model], str]], **kwargs: Any) -> None:
        kwargs.setdefault("label", "Changed at or after (ISO 8601, e.g. 2026-01-01T00:00:00+08:00)")
        super().__init__(*args, **kwargs)
        self.sources = sources

    def filter(self, qs: QuerySet, value: datetime | None) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(changed_since(self.sources, value))


class BatchedViewSet(OpenDataViewSet):
    """A viewset whose rows need figures read for the whole page at once (lateness, contractors,
    contract positions): ``page_context`` loads them in a fixed number of queries per page."""

    def page_context(self, objects: list[Any]) -> dict[str, Any]:
        return {}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        queryset = self.filter_queryset(self.get_queryset())
        objects = list(self.paginate_queryset(queryset) or [])
        context = {**self.get_serializer_context(), **self.page_context(objects)}
        return self.get_paginated_response(self.get_serializer(objects, many=True, context=context).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        obj = self.get_object()
        context = {**self.get_serializer_context(), **self.page_context([obj])}
        from rest_framework.response import Response

        return Response(self.get_serializer(obj, context=context).data)


class WholeNumberFilter(filters.NumberFilter):
    """A whole number within what every database stores (a huge one is a 400, not an overflow)."""

    field_class = django_forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)
