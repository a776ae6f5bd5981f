"""Public pages. They present the back end's numbers through its selectors and never copy them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from cms.maps import index_map, project_map
from renovation.consultation import selectors as consultation_selectors
from renovation.discussion.selectors import project_thread, thread_context
from renovation.finance import public as finance_public
from renovation.opendata.selectors import project_public_change_log
from renovation.places.models import Street
from renovation.projects import selectors as project_selectors
from renovation.projects.models import PhotoPhase, Project, ProjectStatus, WorkCategory
from renovation.public.cache import depends_on, next_midnight
from renovation.supervision import selectors as supervision_selectors

from . import selectors as cms_selectors
from . import summary
from .documents import PublicDocument
from .notices import NoticeIndexPage, NoticePage
from .routing import ViewRestrictionsInOneQuery
from .search import cjk_spaced
from .visibility import unrestricted

# The project page lists the latest public site issues; all of them are on its issues/ page.
RECENT_ISSUES = 5

__all__ = ["HomePage", "NoticeIndexPage", "NoticePage", "ProjectIndexPage", "ProjectPage", "PublicDocument"]


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
        years = project_selectors.plan_years()
        year = _int_or_none(request.GET.get("year"))
        if year not in years:
            year = project_selectors.default_plan_year(timezone.localdate(), years)
        summary = project_selectors.plan_summary(year)
        index = unrestricted(ProjectIndexPage.objects.live()).first()
        # Everything under a plan year belongs to that year: figures, updates, money, satisfaction.
        updates = project_selectors.latest_confirmed_reports(limit=8, plan_year=year)
        context.update(
            {
                "plan_years": years,
                "summary": summary,
                "disclosed": finance_public.plan_year_disclosed(year),
                "project_index": index,
                "updates": updates,
                "update_urls": project_page_urls([report.work_item.project_id for report in updates], request),
                "satisfaction": consultation_selectors.satisfaction_overview(plan_year=year),
            }
        )
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
            child = ProjectPage.routing_queryset().child_of(self).filter(slug=path_components[0]).first()
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
        # Paged over the projects (their own columns sort them), then their pages read for the one
        # page shown: the database does not join every page to every project to sort them all.
        published = unrestricted(ProjectPage.objects.live().child_of(self)).values("project_id")
        projects = (
            project_selectors.project_filter(Project.objects.filter(pk__in=published), **filters)
            .select_related(*project_selectors.PROJECT_RELATED)
            .order_by("-plan_year", "code")
        )
        paginator = Paginator(projects, settings.PROJECT_INDEX_PAGE_SIZE)
        page_obj = paginator.get_page(request.GET.get("page"))
        shown = list(page_obj.object_list)
        pages = {
            page.project_id: page
            for page in unrestricted(ProjectPage.objects.live().child_of(self)).filter(project__in=shown)
        }
        lateness = project_selectors.lateness_for_projects(shown, timezone.localdate())
        page_obj.object_list = []
        for project in shown:
            page = pages.get(project.pk)
            if page is None:  # unpublished between the two reads
                continue
            page.project = project
            page._cached_parent_obj = self
            page.lateness = lateness[project.pk].project
            page_obj.object_list.append(page)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            {
                "page_obj": page_obj,
                "filters": filters,
                "filter_query": query.urlencode(),
                "streets": Street.objects.all(),
                "plan_years": project_selectors.plan_years(),
                "statuses": ProjectStatus.choices,
                "categories": WorkCategory.choices,
            }
        )
        # The map shows every project the filters select, not only the listed page.
        selected = unrestricted(ProjectPage.objects.live().child_of(self)).filter(project__in=projects.values("pk"))
        context["index_map"] = index_map(selected, self.get_url(request))
        return context


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
    def routing_queryset(cls) -> QuerySet[ProjectPage]:
        """Routing reads the project with its place and its stored summary (the page shows them)."""
        return cls.objects.select_related(
            *(f"project__{name}" for name in project_selectors.PROJECT_RELATED), "project__public_summary"
        )

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        depends_on(request, f"project:{self.project_id}", until=next_midnight())
        context = super().get_context(request, *args, **kwargs)
        # Routing loaded the project with its place (ProjectIndexPage.route); a preview has not.
        if "project" in self._state.fields_cache:
            project = self.project
        else:
            project = project_selectors.project_detail(pk=self.project_id)
        groups = project_selectors.work_items_by_category(project)
        today = timezone.localdate()
        items = [item for group in groups for item in group.items]
        lateness = project_selectors.project_lateness(project, today, items)
        for group in groups:
            for item in group.items:
                item.lateness = lateness.items.get(item.pk)
        page_url = self.get_url(request) or self.url_path
        context.update(
            {
                "project": project,
                "lateness": lateness.project,
                "live_key": f"project-{project.pk}",
                "neighbourhood": project.neighbourhood,
                "budget_sources": [
                    (project._meta.get_field(name).verbose_name, getattr(project, name))
                    for name in project_selectors.BUDGET_SOURCE_FIELDS
                ],
                "groups": groups,
                "timeline": project_selectors.project_timeline(project, groups, today),
                "change_log_url": f"{page_url}changes/",
                "payments_url": f"{page_url}payments/",
                "issues_url": f"{page_url}issues/",
                "site_issues": supervision_selectors.public_issues(project, limit=RECENT_ISSUES),
                "photo_gallery": project_selectors.project_photo_gallery(project),
                "publications": cms_selectors.project_publications(self),
                # The first phone screen answers: how far, when, what next, who builds, what is paid.
                "next_step": project_selectors.project_next_step(project, items),
                # The other apps' sections (consultation, tenders, money, issue figures, the
                # construction units, the latest photo) as kept after their last change, else live.
                **summary.page_context(project, timezone.now()),
            }
        )
        # The thread is opened with the page (cms.services.project_page_ensure): a GET never writes.
        thread = project_thread(project)
        if thread is not None:
            context.update(thread_context(thread, request.user, next_url=page_url))
        context["project_map"] = project_map(project)
        return context

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
        paginator = Paginator(supervision_selectors.public_issues_of(self.project), RECENT_ISSUES * 4)
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
        # The same one list as the project's feed (opendata.selectors), counted and sliced in the
        # database: a page costs the same few queries however long the history.
        paginator = Paginator(project_public_change_log(project), settings.CHANGE_LOG_PAGE_SIZE)
        context = {
            "page": self,
            "self": self,
            "project": project,
            "page_obj": paginator.get_page(request.GET.get("page")),
        }
        return TemplateResponse(request, "cms/project_changes.html", context)


def project_page_urls(project_ids: list[int], request: HttpRequest | None = None) -> dict[int, str]:
    """Public page URL per project id, in one query."""
    pages = unrestricted(ProjectPage.objects.live()).filter(project_id__in=set(project_ids))
    return {page.project_id: page.get_url(request) for page in pages}


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None
