"""The public tender list: every tender reachable through pages, filtered by street, state and
year; a bad filter is named, never a 500; the same queries for any number of tenders."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from renovation.projects.models import ProjectStatus
from renovation.public.cache import cache_backend
from renovation.tendering.kinds import kind
from renovation.tendering.models import Tender, TenderStatus
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.PUBLIC_CACHE_ENABLED = True
    cache_backend().clear()
    yield
    cache_backend().clear()


def _past_tenders(project, count, *, status=TenderStatus.AWARDED, year=None, prefix="往期招标"):
    """Tenders opened in the past (read by the list only: built directly, not through the steps)."""
    now = timezone.now()
    tenders = []
    for index in range(count):
        opening = now - timedelta(days=30 + index)
        if year is not None:
            opening = opening.replace(year=year)
        tenders.append(
            Tender.objects.create(
                project=project,
                code=f"{prefix}-{project.pk}-{index}-{year}",
                title=f"{prefix}{index:02d}号",
                kind=kind("construction"),
                ceiling_price=Decimal("100000"),
                method="lowest_price",
                announcement="公开招标。",
                bid_period_start=opening - timedelta(days=20),
                bid_period_end=opening - timedelta(hours=1),
                opening_at=opening,
                status=status,
            )
        )
    return tenders


def _titles(response):
    return response.content.decode()


def test_it_reaches_the_oldest_tender_through_the_pages(client, tender_cast):
    _past_tenders(tender_cast.project, 25)
    first = _titles(client.get("/tenders/"))
    assert tender_cast.tender.title in first  # open for bids, on the first page
    assert "往期招标00号" in first and "往期招标19号" in first and "往期招标20号" not in first
    second = _titles(client.get("/tenders/", {"page": 2}))
    assert "往期招标24号" in second and tender_cast.tender.title not in second
    assert "第 2 页，共 2 页" in second


def test_it_filters_by_street(client, tender_cast, personas):
    other = ProjectFactory(neighbourhood=personas.street_b_place, status=ProjectStatus.APPROVED)
    _past_tenders(other, 1, prefix="玉海招标")
    _past_tenders(tender_cast.project, 1, prefix="安阳招标")
    page = _titles(client.get("/tenders/", {"street": "yuhai"}))
    assert "玉海招标00号" in page and "安阳招标00号" not in page and tender_cast.tender.title not in page


def test_it_filters_by_state_as_the_clock_has_it(client, tender_cast):
    _past_tenders(tender_cast.project, 1, status=TenderStatus.FAILED, prefix="流标")
    _past_tenders(tender_cast.project, 1, status=TenderStatus.AWARDED, prefix="已定标")
    # Stored as open for bids, but its opening time has passed with no bid: it failed by the clock.
    _past_tenders(tender_cast.project, 1, status=TenderStatus.BIDDING, prefix="逾时")
    failed = _titles(client.get("/tenders/", {"state": "failed"}))
    assert "流标00号" in failed and "逾时00号" in failed and "已定标00号" not in failed
    bidding = _titles(client.get("/tenders/", {"state": "bidding"}))
    assert tender_cast.tender.title in bidding and "逾时00号" not in bidding and "流标00号" not in bidding


def test_it_filters_by_year(client, tender_cast):
    _past_tenders(tender_cast.project, 1, year=2023, prefix="二三年")
    _past_tenders(tender_cast.project, 1, year=2024, prefix="二四年")
    page = _titles(client.get("/tenders/", {"year": "2023"}))
    assert "二三年00号" in page and "二四年00号" not in page
    assert '<option value="2024"' in page


@pytest.mark.parametrize(
    "params",
    [{"street": "nowhere"}, {"state": "draft"}, {"year": "1999"}, {"year": "x"}, {"state": "<script>"}],
)
def test_it_names_a_bad_filter_and_shows_the_rest(client, tender_cast, params):
    response = client.get("/tenders/", params)
    page = response.content.decode()
    assert response.status_code == 400
    assert "未能使用" in page and tender_cast.tender.title in page


def test_a_draft_is_never_listed(client, tender_cast):
    _past_tenders(tender_cast.project, 1, status=TenderStatus.DRAFT, prefix="草稿")
    assert "草稿00号" not in _titles(client.get("/tenders/"))


@pytest.mark.parametrize("tenders", [2, 30])
def test_the_list_costs_the_same_queries_for_more_tenders(client, tender_cast, tenders, django_assert_num_queries):
    _past_tenders(tender_cast.project, tenders // 2, status=TenderStatus.AWARDED, prefix="甲")
    _past_tenders(tender_cast.project, tenders // 2, status=TenderStatus.BIDDING, prefix="乙")  # lagging
    client.get("/tenders/")
    with django_assert_num_queries(QUERIES):
        client.get("/tenders/", {"street": "anyang", "year": str(timezone.localdate().year)})


# Open tenders; the page of the others with their count (a window). The filter's choices (years,
# streets, the chosen one) are kept by the process (renovation/public/kept.py) since the first request.
QUERIES = 2


def test_each_filter_and_page_is_stored_as_its_own_page(client, tender_cast, personas, page_cache):
    other = ProjectFactory(neighbourhood=personas.street_b_place, status=ProjectStatus.APPROVED)
    _past_tenders(other, 1, prefix="玉海招标")
    assert "玉海招标00号" in _titles(client.get("/tenders/", {"street": "yuhai"}))
    assert client.get("/tenders/", {"street": "yuhai"})["X-Public-Cache"] == "hit"
    anyang = client.get("/tenders/", {"street": "anyang"})
    assert anyang["X-Public-Cache"] == "miss" and "玉海招标00号" not in anyang.content.decode()


# The card as its included template (tendering/includes/tender_card.html) wrote it before
# ``{% tender_card %}`` (tendering templatetags) took its place: the tag must write the same bytes.
TEMPLATE_CARD = """{% load i18n figures %}
<li class="card tender-card">
  <h3><a href="{% url 'tendering:detail' tender.pk %}">{{ tender.title }}</a></h3>
  <p class="project-header__meta">
    <span class="status status--tender-{{ tender.phase }}">{{ tender.phase_label }}</span>
    <span>{{ tender.project.neighbourhood.community.street.name }} · {{ tender.project.neighbourhood.name }}</span>
  </p>
  <dl class="facts">
    <dt>{% trans "Ceiling price" %}</dt><dd>{{ tender.ceiling_price|yuan }}</dd>
    <dt>{% trans "Bids until" %}</dt><dd>{{ tender.bid_period_end|date:"Y-m-d H:i" }}</dd>
    <dt>{% trans "Opening" %}</dt><dd>{{ tender.opening_at|date:"Y-m-d H:i" }}</dd>
  </dl>
</li>
"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_its_cards_read_as_the_template_wrote_them(tender_cast, language):
    from django.template import engines
    from django.utils import translation

    past = _past_tenders(tender_cast.project, 2, prefix="<路灯> & 监控")
    past[1].status = TenderStatus.FAILED
    past[1].ceiling_price = Decimal("1234567.891")
    past[1].save()
    engine = engines["django"]
    for tender in [tender_cast.tender, *past]:
        tender = Tender.objects.select_related("project__neighbourhood__community__street").get(pk=tender.pk)
        # The card reads the tender as the list does (selectors.tender_list): the card's fields
        # and the names of its street and neighbourhood.
        listed = next(card for cards in _listed_tenders(timezone.now()) for card in cards if card.pk == tender.pk)
        with translation.override(language):
            expected = engine.from_string(TEMPLATE_CARD).render({"tender": tender})
            written = engine.from_string("{% load tender_cards %}{% tender_card tender %}").render({"tender": listed})
        assert "&lt;路灯&gt; &amp; 监控" in written or tender == tender_cast.tender
        assert written == expected


def _listed_tenders(now):
    from renovation.tendering.selectors import tender_list

    open_tenders, others = tender_list(now=now)
    return open_tenders, others[: others.count()]


FILTERS = [
    {},
    *({"state": state} for state in ("announced", "bidding", "opened", "evaluated", "publicity", "awarded", "failed")),
    {"street": "anyang"},
    {"street": "yuhai", "state": "failed"},
    {"year": "2024"},
    {"year": "2024", "street": "anyang", "state": "awarded", "page": "2"},
    {"state": "opened", "year": "2024"},
    {"page": "2"},
    {"page": "abc"},
    {"street": "nowhere"},
    {"street": "a\x00b"},
    {"year": "abc", "state": "x"},
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_its_compiled_queries_write_what_the_orm_would(client, tender_cast, personas, language):
    """Every filter (and the page): the queries compiled once per process (selectors.tender_list)
    give the page byte for byte as the querysets run through the ORM give it."""
    from renovation.public.prepared import orm_reads

    other = ProjectFactory(neighbourhood=personas.street_b_place, status=ProjectStatus.APPROVED)
    _past_tenders(tender_cast.project, 22, year=2024, prefix="<甲> & 招标")
    _past_tenders(other, 2, status=TenderStatus.FAILED, prefix="玉海招标")
    _past_tenders(other, 3, status=TenderStatus.BIDDING, year=2024, prefix="未记开标")  # lagging, no bids
    client.cookies["django_language"] = language
    for params in FILTERS:
        compiled = client.get("/tenders/", params)
        with orm_reads():
            through_orm = client.get("/tenders/", params)
        assert compiled.status_code == through_orm.status_code
        assert compiled.content == through_orm.content, params
    assert "未记开标" in client.get("/tenders/", {"state": "failed"}).content.decode()
