"""Public pages. They present the back end's numbers through its selectors and never copy them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.db.models import F, Func, IntegerField, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page, Site
from wagtail.search import index

from cms.maps import index_map
from renovation.discussion.selectors import project_thread, thread_context
from renovation.finance import public as finance_public
from renovation.opendata.selectors import project_public_change_log
from renovation.places.maps import tile_layers
from renovation.projects import selectors as project_selectors
from renovation.projects.models import PhotoPhase, Project, ProjectPublicSummary, ProjectStatus, WorkCategory
from renovation.public.cache import depends_on, next_midnight
from renovation.public.models import StoredRendering
from renovation.supervision import selectors as supervision_selectors

from . import home_summary, index_counts, project_index, summary
from .documents import PublicDocument
from .notices import NoticeIndexPage, NoticePage
from .routing import ViewRestrictionsInOneQuery
from .search import cjk_spaced
from .visibility import unrestricted

__all__ = [
    "HomePage",
    "HomePublicSummary",
    "NoticeIndexPage",
    "NoticePage",
    "ProjectIndexCounts",
    "ProjectIndexPage",
    "ProjectPage",
    "PublicDocument",
]


class HomePage(ViewRestrictionsInOneQuery, Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.ProjectIndexPage", "cms.NoticeIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def route(self, request: HttpRequest, path_components: list[str]) -> Any:
        """The index is found in one query (Wagtail's default takes two: the page, then its type)."""
        if path_components:
            child = ProjectIndexPage.objects.child_of(self).filter(slug=path_components[0]).first()
            if child is not None:
                child._cached_parent_obj = self
                return child.route(request, path_components[1:])
        return super().route(request, path_components)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        depends_on(request, "home", until=next_midnight())
        context = super().get_context(request, *args, **kwargs)
        # The sections (the plan year's figures, money, satisfaction, updates) as kept after their
        # last change, else live (cms.home_summary).
        asked_year = _int_or_none(request.GET.get("year"))
        context.update(home_summary.page_context(request, asked_year, timezone.now()))
        return context


class ProjectIndexPage(ViewRestrictionsInOneQuery, Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ProjectPage"]
    max_count = 1

    class Meta:
        verbose_name = _("project index page")

    def route(self, request: HttpRequest, path_components: list[str]) -> Any:
        """A project page and its project are found in one query."""
        if path_components:
            variant = ProjectPage.routing_variant(tuple(path_components[1:]))
            child = ProjectPage.routing_queryset(variant).child_of(self).filter(slug=path_components[0]).first()
            if child is not None:
                child._cached_parent_obj = self
                return child.route(request, path_components[1:])
        return super().route(request, path_components)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        depends_on(request, "index", until=next_midnight())
        context = super().get_context(request, *args, **kwargs)

        # A NUL can reach no query (PostgreSQL refuses it in text: a 500).
        def text(name: str) -> str:
            return request.GET.get(name, "").replace("\x00", "").strip()

        filters = {
            "street": text("street") or None,
            "plan_year": _int_or_none(request.GET.get("year")),
            "status": text("status") or None,
            "category": text("category") or None,
            "search": text("q")[:100] or None,
        }
        # One query: the page of projects with their count, addresses and stored cards
        # (cms.project_index); the filter form's choices are kept per process while current.
        context.update(project_index.listing(self, request, filters, timezone.now()))
        choices = project_index.filter_choices(request)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            {
                "filters": filters,
                "filter_query": query.urlencode(),
                "streets": choices.streets,
                "plan_years": choices.plan_years,
                "statuses": ProjectStatus.choices,
                "categories": WorkCategory.choices,
                **project_index.options(choices, filters),
                # The follow switch's street, from the choices (else it reads it by its code).
                "filter_street": choices.street(filters["street"]) if filters["street"] else None,
            }
        )
        # The map shows every project the filters select, not only the listed page.
        context["index_map"] = None
        if tile_layers() is not None:
            selected = unrestricted(ProjectPage.objects.live().child_of(self)).filter(
                project__in=self.filtered_projects(**filters).values("pk")
            )
            context["index_map"] = index_map(selected, self.get_url(request))
        return context

    def filtered_projects(self, **filters: Any) -> QuerySet[Project]:
        """The projects whose page is published here and that the filters select."""
        published = unrestricted(ProjectPage.objects.live().child_of(self)).values("project_id")
        return project_selectors.project_filter(Project.objects.filter(pk__in=published), **filters)

    def listing_queryset(self, *, kept_after: datetime | None = None, **filters: Any) -> QuerySet[Project]:
        """The index's list as rows (cms.project_index.LIST_FIELDS), ordered: each selected project
        with how many are selected, its page's URL path and its summary's card columns (not the
        rest of its summary).

        The database walks the projects in the list's order (the index ``project_list_order``)
        and stops at the page shown: a project is listed when its page, read by the project's key,
        is live here and not restricted (a subquery per project walked, which also gives the page's
        URL path), and the summary's columns are read by the project's key for the listed projects
        only. How many are selected comes in a subquery of its own that runs once: with
        ``kept_after`` (now), the kept totals' row if it is current then (cms.index_counts;
        ``selected`` is its counts, None when not current), else a count over the projects' own
        columns and the published pages (``filtered_projects``). (A window count read every
        selected project before the limit; joined to the pages with the index to walk, PostgreSQL
        compared each project with every page.)"""
        published = unrestricted(ProjectPage.objects.live().child_of(self))
        page_path = published.filter(project_id=OuterRef("pk")).order_by().values("url_path")[:1]
        summary = ProjectPublicSummary.objects.filter(project_id=OuterRef("pk"))
        if kept_after is None:
            counted = self.filtered_projects(**filters).order_by()
            selected = Subquery(counted.values(count=Func(F("pk"), function="COUNT", output_field=IntegerField())))
        else:
            kept = ProjectIndexCounts.objects.filter(
                index_id=self.pk,
                version=index_counts.INDEX_COUNTS_VERSION,
                built_generation=F("generation"),
                valid_until__gt=kept_after,
            )
            selected = Subquery(kept.values("counts")[:1])
        listed = Project.objects.annotate(page_url_path=Subquery(page_path)).filter(page_url_path__isnull=False)
        return (
            project_selectors.project_filter(listed, **filters)
            .annotate(
                selected=selected,
                **{f"summary_{name}": Subquery(summary.values(name)[:1]) for name in project_index.SUMMARY_FIELDS},
            )
            .order_by("-plan_year", "code")
            .values_list(*project_index.LIST_FIELDS)
        )


# The stored summary's columns routing leaves unread, by what the route shows (ProjectPage.routing_variant):
# the page reads its entries (``content``), the change log its own (``changes``), the other sub-pages
# neither; the project index's card is read by the index.
ROUTING_SUMMARY_UNREAD = {
    "page": ("changes", "card", "card_signature"),
    "changes": ("content", "card", "card_signature"),
    "other": ("content", "changes", "card", "card_signature"),
}


class ProjectPage(RoutablePageMixin, ViewRestrictionsInOneQuery, Page):
    """The public page of one project; its figures come live from ``project``. Its change log
    is a page of its own (``changes/``), paginated: the project page reads no history."""

    project = models.OneToOneField(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("project"),
    )
    story = RichTextField(_("story"), blank=True, help_text=_("Editorial text shown under the figures."))

    content_panels = Page.content_panels + [
        FieldPanel("project"),
        FieldPanel("story"),
        InlinePanel("public_documents", label=_("Project documents"), panels=PublicDocument.project_panels),
    ]
    parent_page_types = ["cms.ProjectIndexPage"]
    subpage_types: list[str] = []
    search_fields = Page.search_fields + [index.SearchField("search_text"), index.FilterField("project")]

    class Meta:
        verbose_name = _("project page")

    def search_text(self) -> str:
        """The project as the site search finds it: by its name, code, estate, community and street."""
        project = project_selectors.project_detail(pk=self.project_id)
        neighbourhood = project.neighbourhood
        return cjk_spaced(
            project.name,
            project.code,
            neighbourhood.name,
            neighbourhood.community.name,
            neighbourhood.community.street.name,
            self.story,
        )

    @classmethod
    def routing_variant(cls, rest: tuple[str, ...]) -> str:
        """How routing reads the page for the path below it: the page itself, its change log, or
        another of its sub-pages (cms.routing)."""
        if not rest:
            return "page"
        return "changes" if rest[0] == "changes" else "other"

    @classmethod
    def routing_queryset(cls, variant: str | None = None) -> QuerySet[ProjectPage]:
        """Routing reads the project with its place and its stored summary (the page shows them),
        of the summary only the column the route shows: the page's entries, the change log's, or
        neither (``variant``; None: all of them)."""
        queryset = cls.objects.select_related(
            *(f"project__{name}" for name in project_selectors.PROJECT_RELATED), "project__public_summary"
        )
        unread = ROUTING_SUMMARY_UNREAD.get(variant, ())
        return queryset.defer(*(f"project__public_summary__{name}" for name in unread)) if unread else queryset

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        depends_on(request, f"project:{self.project_id}", until=next_midnight())
        context = super().get_context(request, *args, **kwargs)
        # Routing loaded the project with its place (ProjectIndexPage.route); a preview has not.
        if "project" in self._state.fields_cache:
            project = self.project
        else:
            project = project_selectors.project_detail(pk=self.project_id)
        page_url = self.get_url(request) or self.url_path
        context.update(
            {
                **self.page_values(project, page_url),
                # The figures, works, timeline, latest issues, documents and notices and the other
                # apps' sections as kept after their last change (cms.summary), else live; a
                # preview is all live.
                **summary.page_context(
                    self, project, timezone.now(), page_url, live=getattr(request, "is_preview", False)
                ),
            }
        )
        if context["comments_html"] is not None and not request.user.is_authenticated:
            context["next_url"] = page_url  # the thread as kept, then the sign-in link back here
            return context
        context["comments_html"] = None  # a signed-in visitor's actions are their own: live
        # The thread is opened with the page (cms.services.project_page_ensure): a GET never writes.
        thread = project_thread(project)
        if thread is not None:
            context.update(thread_context(thread, request.user, next_url=page_url))
        return context

    def page_values(self, project: Any, page_url: str) -> dict[str, Any]:
        """What the page's own template reads besides the summary's sections (the summary renders
        the page's kept parts with it too)."""
        return {
            "project": project,
            "neighbourhood": project.neighbourhood,
            "budget_sources": [
                (project._meta.get_field(name).verbose_name, getattr(project, name))
                for name in project_selectors.BUDGET_SOURCE_FIELDS
            ],
            "change_log_url": f"{page_url}changes/",
            "payments_url": f"{page_url}payments/",
            "issues_url": f"{page_url}issues/",
        }

    @path("photos/", name="photos")
    def photos(self, request: HttpRequest) -> HttpResponse:
        """Every public photo of the works, newest first, one phase or all, paged."""
        depends_on(request, f"project:{self.project_id}", until=next_midnight())
        phase = request.GET.get("phase", "")
        if phase not in PhotoPhase.values:
            phase = ""  # an unknown phase shows them all rather than an error
        photos = project_selectors.public_progress_photos(self.project_id)
        if phase:
            photos = photos.filter(phase=phase)
        paginator = Paginator(photos, settings.PROJECT_PHOTOS_PAGE_SIZE)
        context = {
            "page": self,
            "self": self,
            "project": self.project,
            "phase": phase,
            "phases": PhotoPhase.choices,
            "page_obj": paginator.get_page(request.GET.get("page")),
        }
        return TemplateResponse(request, "cms/project_photos.html", context)

    @path("payments/", name="payments")
    def payments(self, request: HttpRequest) -> HttpResponse:
        """Every public payment line of the project, newest first, paged."""
        depends_on(request, f"project:{self.project_id}", until=next_midnight())
        paginator = Paginator(finance_public.public_payments(self.project), settings.CHANGE_LOG_PAGE_SIZE)
        return self._list_page(request, "cms/project_payments.html", paginator.get_page(request.GET.get("page")))

    @path("issues/", name="issues")
    def issues(self, request: HttpRequest) -> HttpResponse:
        """Every public site issue of the project with its photos, newest first, paged."""
        depends_on(request, f"project:{self.project_id}", until=next_midnight())
        paginator = Paginator(supervision_selectors.public_issues_of(self.project), summary.RECENT_ISSUES * 4)
        page_obj = paginator.get_page(request.GET.get("page"))
        page_obj.object_list = supervision_selectors.split_photos(page_obj.object_list)
        return self._list_page(request, "cms/project_issues.html", page_obj)

    def _list_page(self, request: HttpRequest, template: str, page_obj: Any) -> HttpResponse:
        context = {"page": self, "self": self, "project": self.project, "page_obj": page_obj}
        return TemplateResponse(request, template, context)

    @path("changes/", name="changes")
    def changes(self, request: HttpRequest) -> HttpResponse:
        """The public change log, newest first, ``CHANGE_LOG_PAGE_SIZE`` entries a page."""
        depends_on(request, f"project:{self.project_id}", until=next_midnight())
        project = self.project
        context: dict[str, Any] = {"page": self, "self": self, "project": project, "changes_html": None}
        number = request.GET.get("page")
        if number in (None, "", "1") and not getattr(request, "is_preview", False):
            # The first page as the summary keeps it (loaded with the page by routing: no query).
            page_url = self.get_url(request) or self.url_path
            context["changes_html"] = summary.stored_changes(project, timezone.now(), page_url)
        if context["changes_html"] is None:
            # The same one list as the project's feed (opendata.selectors), counted and sliced in
            # the database: a page costs the same few queries however long the history.
            paginator = Paginator(project_public_change_log(project), settings.CHANGE_LOG_PAGE_SIZE)
            context["page_obj"] = paginator.get_page(number)
        return TemplateResponse(request, "cms/project_changes.html", context)


def project_page_urls(
    project_ids: list[int], request: HttpRequest | None = None, current_site: Site | None = None
) -> dict[int, str]:
    """Public page URL per project id, in one query; relative to the request's site (or to
    ``current_site`` without a request) as Wagtail makes them."""
    pages = unrestricted(ProjectPage.objects.live()).filter(project_id__in=set(project_ids))
    return {page.project_id: page.get_url(request, current_site=current_site) for page in pages}


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


class HomePublicSummary(StoredRendering):
    """What the home page shows from the back end (the plan in numbers, the money disclosed, the
    satisfaction, the latest updates and their links), kept per language as the HTML its sections
    render to for every plan year, so the page inserts it instead of some ten queries and their
    templates (cms.home_summary).

    Never a source of a figure: a change the home page shows bumps ``generation`` right after its
    commit, a job rebuilds it from the selectors after the commit, and the page renders live
    while it is missing, stale, of another ``version`` or ``build``, past ``valid_until``, rendered
    for another site or not signed by this site. A derived rendering, so it keeps no history."""

    language = models.CharField(_("language"), max_length=16, primary_key=True)
    version = models.PositiveSmallIntegerField(_("version"))
    # The code and templates that rendered it (a deploy that changes them makes it stale).
    build = models.CharField(_("build"), max_length=64, blank=True)
    # The sections' HTML by plan year and the plan years, as JSON text: written and read by
    # cms.home_summary only, and shown only when ``signature`` (an HMAC with the site's key) matches.
    content = models.TextField(_("content"), blank=True)
    signature = models.CharField(_("signature"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("home page summary")
        verbose_name_plural = _("home page summaries")

    def __str__(self) -> str:
        return f"{self.language} @ {self.built_at:%Y-%m-%d %H:%M}" if self.built_at else self.language


class ProjectIndexCounts(StoredRendering):
    """How many projects a project index lists: all of them, and under each value of each of its
    filters alone (a street, a plan year, a status, a work category), kept so that the index shows
    its total without counting the projects on each request (cms.index_counts).

    Never a source of a figure: a change the index shows bumps ``generation`` right after its
    commit, a job counts again from the same selection the page lists (``filtered_projects``), and
    the page counts live while the row is missing, stale, of another ``version`` or past
    ``valid_until``, and for a search or several filters at once. Derived data, so it keeps no
    history."""

    index = models.OneToOneField(
        ProjectIndexPage, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("project index")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    # {"all": n, "street": {code: n}, "plan_year": {year: n}, "status": {...}, "category": {...}} as
    # JSON text: written and read by cms.index_counts only.
    counts = models.TextField(_("counts"), blank=True)

    class Meta:
        verbose_name = _("project index counts")
        verbose_name_plural = _("project index counts")

    def __str__(self) -> str:
        return f"{self.index_id} @ {self.built_at:%Y-%m-%d %H:%M}" if self.built_at else f"{self.index_id}"
