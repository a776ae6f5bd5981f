"""The project index in one query (cms.project_index) writes the very bytes the page wrote when it
read the projects, their pages and the filter form through the ORM and rendered each card and
option in its template: that page is kept here (``_orm_context``, ``ORM_TEMPLATE``) and both are
served for every page of the list, the filters and the bad query strings, in both languages, with
the cards stored and live."""
# ruff: noqa: E501 (the page's template as it was, its lines as they were)

from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.core.paginator import Paginator
from django.template import engines
from django.utils import timezone

from cms.index_counts import index_counts_rebuild
from cms.models import ProjectIndexPage, ProjectPage, _int_or_none
from cms.summary import project_summaries_rebuild, stored_cards
from cms.visibility import unrestricted
from renovation.places.models import Street
from renovation.projects import selectors as project_selectors
from renovation.projects.models import Project, ProjectStatus, WorkCategory
from renovation.public.cache import depends_on, next_midnight
from tests.factories import NeighbourhoodFactory

ORM_TEMPLATE = """{% extends "public/base.html" %}
{% load i18n wagtailcore_tags figures %}
{% block content %}
<h1>{{ page.title }}</h1>
{% if page.intro %}<div class="intro">{{ page.intro|richtext }}</div>{% endif %}

<form class="filters" method="get" role="search">
  <label class="filters__search">
    <span>{% trans "Neighbourhood name" %}</span>
    <input type="search" name="q" value="{{ filters.search|default:'' }}" placeholder="{% trans 'e.g. 飞云花园' %}">
  </label>
  <label>
    <span>{% trans "Street" %}</span>
    <select name="street">
      <option value="">{% trans "All streets" %}</option>
      {% for street in streets %}<option value="{{ street.code }}"{% if filters.street == street.code %} selected{% endif %}>{{ street.name }}</option>{% endfor %}
    </select>
  </label>
  <label>
    <span>{% trans "Plan year" %}</span>
    <select name="year">
      <option value="">{% trans "All years" %}</option>
      {% for year in plan_years %}<option value="{{ year }}"{% if filters.plan_year == year %} selected{% endif %}>{{ year }}</option>{% endfor %}
    </select>
  </label>
  <label>
    <span>{% trans "Status" %}</span>
    <select name="status">
      <option value="">{% trans "All statuses" %}</option>
      {% for value, label in statuses %}<option value="{{ value }}"{% if filters.status == value %} selected{% endif %}>{{ label }}</option>{% endfor %}
    </select>
  </label>
  <label>
    <span>{% trans "Work category" %}</span>
    <select name="category">
      <option value="">{% trans "All categories" %}</option>
      {% for value, label in categories %}<option value="{{ value }}"{% if filters.category == value %} selected{% endif %}>{{ label }}</option>{% endfor %}
    </select>
  </label>
  <div class="filters__actions">
    <button type="submit" class="button">{% trans "Show" %}</button>
    <a href="{% pageurl page %}">{% trans "Clear" %}</a>
  </div>
</form>
{% include "notifications/includes/follow_button.html" with street_code=filters.street %}

<p class="muted" aria-live="polite">{% blocktrans count counter=page_obj.paginator.count %}{{ counter }} project{% plural %}{{ counter }} projects{% endblocktrans %}</p>

{% include "places/map.html" with map=index_map %}

{% if page_obj.object_list %}
<ul class="project-list">
  {% for project_page in page_obj.object_list %}
  <li class="project-card">
    <a href="{% pageurl project_page %}">{% if project_page.card_html %}{{ project_page.card_html }}{% else %}{% include "cms/includes/project_card.html" with project=project_page.project lateness=project_page.lateness %}{% endif %}</a>
  </li>
  {% endfor %}
</ul>
{% else %}
<p class="empty">{% trans "No project matches these filters." %}</p>
{% endif %}

{% if page_obj.has_other_pages %}
<nav class="pagination" aria-label="{% translate 'Pages' context 'pagination' %}">
  {% if page_obj.has_previous %}<a href="?{% if filter_query %}{{ filter_query }}&amp;{% endif %}page={{ page_obj.previous_page_number }}" rel="prev">{% trans "Previous" %}</a>{% endif %}
  <span>{% blocktrans with number=page_obj.number total=page_obj.paginator.num_pages %}Page {{ number }} of {{ total }}{% endblocktrans %}</span>
  {% if page_obj.has_next %}<a href="?{% if filter_query %}{{ filter_query }}&amp;{% endif %}page={{ page_obj.next_page_number }}" rel="next">{% trans "Next" %}</a>{% endif %}
</nav>
{% endif %}
{% endblock %}"""


def _orm_context(self, request, *args, **kwargs):
    """ProjectIndexPage.get_context as it was before the list was read in one query."""
    depends_on(request, "index", until=next_midnight())
    context = super(ProjectIndexPage, self).get_context(request, *args, **kwargs)

    def text(name):
        return request.GET.get(name, "").replace("\x00", "").strip()

    filters = {
        "street": text("street") or None,
        "plan_year": _int_or_none(request.GET.get("year")),
        "status": text("status") or None,
        "category": text("category") or None,
        "search": text("q")[:100] or None,
    }
    published = unrestricted(ProjectPage.objects.live().child_of(self)).values("project_id")
    projects = (
        project_selectors.project_filter(Project.objects.filter(pk__in=published), **filters)
        .select_related(*project_selectors.PROJECT_RELATED, "public_summary")
        .defer("public_summary__content")
        .order_by("-plan_year", "code")
    )
    paginator = Paginator(projects, django_settings.PROJECT_INDEX_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    shown = list(page_obj.object_list)
    pages = {
        page.project_id: page
        for page in unrestricted(ProjectPage.objects.live().child_of(self)).filter(project__in=shown)
    }
    now = timezone.now()
    cards = stored_cards(shown, now)
    live = [project for project in shown if project.pk not in cards]
    lateness = project_selectors.lateness_for_projects(live, timezone.localdate(now)) if live else {}
    page_obj.object_list = []
    for project in shown:
        page = pages.get(project.pk)
        if page is None:
            continue
        page.project = project
        page._cached_parent_obj = self
        page.card_html = cards.get(project.pk)
        if page.card_html is None:
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
            "index_map": None,  # no tiles in the tests: the page read nothing for its map
        }
    )
    return context


QUERIES = [
    {},
    {"page": "2"},
    {"page": "3"},
    {"page": "4"},
    {"page": "abc"},
    {"page": "999"},
    {"page": "0"},
    {"page": "-1"},
    {"page": "99999999999999999999999999"},
    {"page": "2\x00"},
    {"street": "anyang"},
    {"street": "yuhai", "page": "2"},
    {"street": "nowhere"},
    {"street": "\x00"},
    {"year": "2023"},
    {"year": "2024", "page": "2"},
    {"year": "x"},
    {"year": "0"},
    {"year": "-5"},
    {"year": "99999999999999999999"},
    {"status": "accepted"},
    {"status": "<script>"},
    {"category": "networks"},
    {"category": "roads", "year": "2024", "street": "yuhai"},
    {"q": "飞云"},
    {"q": "%"},
    {"q": "_\\'\"<b>"},
    {"q": "玉海\x00苑"},
    {"q": "x" * 500},
    {"q": "苑", "status": "under_construction", "page": "2"},
]


@pytest.fixture
def many_projects(personas, published_project, settings):
    """Seven projects over two streets, three plan years and two statuses: four pages of two."""
    settings.PROJECT_INDEX_PAGE_SIZE = 2
    other = NeighbourhoodFactory(community__street=personas.street_b_place.community.street, name="新河苑")
    for number in range(7):
        published_project(
            items=1 + number % 3,
            reports_per_item=number % 2,
            neighbourhood=[personas.street_a_place, personas.street_b_place, other][number % 3],
            plan_year=2022 + number % 3,
            status=[ProjectStatus.UNDER_CONSTRUCTION, ProjectStatus.ACCEPTED][number % 2],
        )


def _both(client, monkeypatch, query):
    url = "/projects/" + ("?" + urlencode(query) if query else "")
    new = client.get(url)
    with monkeypatch.context() as patched:
        patched.setattr(ProjectIndexPage, "get_context", _orm_context)
        patched.setattr(ProjectIndexPage, "get_template", lambda *args, **kwargs: _ORM_TEMPLATE)
        old = client.get(url)
    return old, new


_ORM_TEMPLATE = engines["django"].from_string(ORM_TEMPLATE)


@pytest.mark.parametrize("stored", [True, False], ids=["stored cards", "live cards"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_writes_the_same_html_as_the_orm_page(client, many_projects, monkeypatch, stored, language):
    if stored:
        project_summaries_rebuild(Project.objects.values_list("pk", flat=True))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    cards = 0
    for query in QUERIES:
        old, new = _both(client, monkeypatch, query)
        assert old.status_code == new.status_code == 200, query
        assert new.content.decode() == old.content.decode(), query
        cards += new.content.decode().count('class="project-card"')
    assert cards > 20  # the comparison saw lists, not only empty pages


def test_it_writes_the_same_html_when_some_cards_are_stored(client, many_projects, monkeypatch):
    project_summaries_rebuild(Project.objects.order_by("pk").values_list("pk", flat=True)[:3])
    for query in QUERIES[:6]:
        old, new = _both(client, monkeypatch, query)
        assert new.content.decode() == old.content.decode(), query


def test_a_card_signed_by_another_key_is_rendered_live(client, many_projects, monkeypatch, caplog):
    from renovation.projects.models import ProjectPublicSummary

    project_summaries_rebuild(Project.objects.values_list("pk", flat=True))
    first = Project.objects.order_by("-plan_year", "code").first()
    summary = ProjectPublicSummary.objects.get(project=first)
    stranger = summary.card.replace(first.name, "假冒的项目")
    ProjectPublicSummary.objects.filter(project=first).update(card=stranger)
    old, new = _both(client, monkeypatch, {})
    assert new.status_code == 200
    assert new.content.decode() == old.content.decode()
    assert first.name in new.content.decode() and "假冒的项目" not in new.content.decode()
    assert "unreadable index card" in caplog.text


def test_a_page_unpublished_or_restricted_is_not_listed(client, many_projects, monkeypatch):
    from wagtail.models import PageViewRestriction

    pages = list(ProjectPage.objects.order_by("-project__plan_year", "project__code"))
    pages[0].unpublish()
    PageViewRestriction.objects.create(page=pages[1], restriction_type=PageViewRestriction.LOGIN)
    for query in ({}, {"page": "2"}, {"page": "4"}):
        old, new = _both(client, monkeypatch, query)
        assert new.content.decode() == old.content.decode(), query
    html = client.get("/projects/").content.decode()
    assert pages[0].project.name not in html and pages[1].project.name not in html
    assert "5 个项目" in html or "5 projects" in html


def test_the_filter_choices_are_kept_until_a_project_or_a_place_changes(
    client, many_projects, personas, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from renovation.places.services import street_create
    from renovation.projects.services import project_update

    project_summaries_rebuild(Project.objects.values_list("pk", flat=True))
    index_counts_rebuild()  # the total kept, as the job keeps it (else counted on its own: one query more)
    client.get("/projects/")
    with django_assert_num_queries(2):  # the route and the list: the choices are kept
        html = client.get("/projects/").content.decode()
    assert 'value="2031"' not in html
    with django_capture_on_commit_callbacks(execute=True):
        project_update(actor=personas.bureau, project=Project.objects.first(), data={"plan_year": 2031})
    assert '<option value="2031">2031</option>' in client.get("/projects/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        street_create(actor=personas.bureau, data={"name": "新街道", "code": "xinjie"})
    assert '<option value="xinjie">新街道</option>' in client.get("/projects/").content.decode()
    with django_assert_num_queries(2):
        client.get("/projects/")


def test_the_kept_choices_are_checked_in_the_one_read_of_the_cache_routing_makes(
    client, many_projects, settings, monkeypatch
):
    """Uncached, a Wagtail page reads the versions its kept values check with routing's own (one
    round trip to the cache, not two; renovation/public/kept.py)."""
    from cms.routing import ROUTING
    from renovation.public import kept

    settings.PUBLIC_CACHE_ENABLED = False
    client.get("/projects/")
    reads = []
    read = kept.scope_versions
    monkeypatch.setattr(kept, "scope_versions", lambda scopes: reads.append(set(scopes)) or read(scopes))
    response = client.get("/projects/", {"year": "2023"})
    assert '<option value="2023" selected>2023</option>' in response.content.decode()
    assert len(reads) == 1 and {ROUTING, "index", "site"} <= reads[0]


def test_while_the_cache_server_is_down_the_choices_are_read_for_each_request(
    client, many_projects, settings, django_assert_num_queries
):
    client.get("/projects/")  # the choices kept while the cache answered
    settings.CACHES = {
        **settings.CACHES,
        "public": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    for _ in range(2):
        # Routed by Wagtail alone (the routing memo too needs the cache), the list, the choices.
        response = client.get("/projects/", {"year": "2023"})
        assert response.status_code == 200
        assert '<option value="2023" selected>2023</option>' in response.content.decode()
