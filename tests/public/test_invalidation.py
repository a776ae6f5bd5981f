"""Every kind of public change makes exactly the pages that show it fresh, right after commit.

The list "change → pages" is ``CHANGE_PAGES`` in renovation/public/cache.py; each case below makes
one change through its service and checks, page by page, that the pages the list names are
rendered again (and show the change where it is visible in words) while every other page is
still served from the cache.
"""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from renovation.public.cache import CHANGE_PAGES, SITE, Change, scopes_for

pytestmark = pytest.mark.django_db


def _get(client, url: str) -> Any:
    """A GET read to its end, as a server sends it (a streamed page is stored at its end)."""
    response = client.get(url)
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    return response


def _warm(client, urls: list[str]) -> None:
    for url in urls:
        assert _get(client, url).status_code == 200, url
        assert _get(client, url)["X-Public-Cache"] == "hit", url


def _state(client, urls: list[str]) -> dict[str, str]:
    return {url: _get(client, url)["X-Public-Cache"] for url in urls}


def _body(client, url: str) -> str:
    return _get(client, url).body.decode()


# --- one change of each kind, made through its service -----------------------------------------
# Each returns (kind, project id, tender id, {url family or URL: text the page must now show}).


def _place(scene, personas):
    from renovation.places.services import street_update

    street_update(actor=personas.bureau, street=personas.street_a_place.community.street, data={"name": "锦湖街道"})
    return Change.PLACE, None, None, {"streets": "锦湖街道", f"project:{scene.tendered.pk}": "锦湖街道"}


def _plan(scene, personas):
    from renovation.planning.reading import Plan
    from renovation.planning.services import plan_apply

    plan_apply(actor=personas.bureau, plan=Plan())
    return Change.PLAN, None, None, {}


def _project(scene, personas):
    from renovation.projects.services import project_update

    project_update(actor=personas.bureau, project=scene.tendered, data={"name": "飞云花园二期改造"})
    return (
        Change.PROJECT,
        scene.tendered.pk,
        None,
        {
            "index": "飞云花园二期改造",
            f"project:{scene.tendered.pk}": "飞云花园二期改造",
            "open_data": "飞云花园二期改造",
            "api": "飞云花园二期改造",
        },
    )


def _work_item(scene, personas):
    from renovation.projects.services import work_item_update

    item = scene.tendered.work_items.order_by("pk").first()
    work_item_update(actor=personas.bureau, work_item=item, data={"description": "外立面及屋顶防水"})
    return Change.WORK_ITEM, scene.tendered.pk, None, {f"project:{scene.tendered.pk}": "外立面及屋顶防水"}


def _progress(scene, personas):
    from renovation.projects.services import progress_report_confirm, progress_report_submit

    item = scene.supervised.work_items.create(category="building", description="楼道粉刷", budget=Decimal("1000"))
    report = progress_report_submit(actor=personas.bureau, work_item=item, percent=Decimal("40"))
    progress_report_confirm(actor=personas.bureau, report=report)
    return Change.PROGRESS, scene.supervised.pk, None, {f"project:{scene.supervised.pk}": "楼道粉刷"}


def _progress_photo(scene, personas):
    """The scene's photo of the works (tests/public/conftest.py) withdrawn from the public."""
    from renovation.projects.models import ProgressPhoto
    from renovation.projects.services import progress_photo_withdraw

    photo = ProgressPhoto.objects.get(report__work_item__project=scene.supervised)
    progress_photo_withdraw(actor=personas.street_a, photo=photo, reason="照片拍到了居民车牌")
    return Change.PROGRESS_PHOTO, scene.supervised.pk, None, {f"project:{scene.supervised.pk}": "暂无公开的施工照片"}


def _ledger(scene, personas):
    from renovation.finance.services import ledger_entry_record

    ledger_entry_record(
        actor=personas.street_a,
        data={
            "project": scene.supervised,
            "kind": "payment",
            "amount": Decimal("1234.00"),
            "counterparty": "瑞安市建筑工程有限公司",
            "purpose": "楼道灯具更换进度款",
            "booked_on": timezone.localdate(),
        },
    )
    return Change.LEDGER, scene.supervised.pk, None, {f"project:{scene.supervised.pk}": "楼道灯具更换进度款"}


def _disclosure(scene, personas):
    from renovation.finance.services import disclosure_publish
    from tests.finance.factories import previous_quarter

    year, quarter = previous_quarter()
    disclosure_publish(actor=personas.street_a, project=scene.supervised, year=year, quarter=quarter)
    return Change.DISCLOSURE, scene.supervised.pk, None, {}


def _tender(scene, personas):
    from renovation.tendering import services
    from tests.factories import WorkItemFactory
    from tests.tendering.fixtures import tender_data

    greening = WorkItemFactory(project=scene.tendered, category="greening", description="绿化提升")
    draft = services.tender_create(
        actor=personas.street_a, data=tender_data(scene.tendered, title="飞云花园绿化提升工程"), work_items=[greening]
    )
    services.tender_announce(actor=personas.street_a, tender=draft)
    return Change.TENDER, scene.tendered.pk, draft.pk, {"tenders": "飞云花园绿化提升工程"}


def _tender_step(scene, personas):
    """The opening of a tender already shown, recorded by the tenders_advance job."""
    from renovation.tendering import services

    services.tenders_catch_up(now=scene.tender.opening_at + timedelta(seconds=1))
    return Change.TENDER, scene.tendered.pk, scene.tender.pk, {}


def _consultation(scene, personas):
    from renovation.consultation.services import decision_item_create

    today = timezone.localdate()
    decision_item_create(
        actor=personas.street_a,
        project=scene.supervised,
        question="是否加装电梯？",
        options=["同意", "不同意"],
        opens_on=today,
        closes_on=today + timedelta(days=7),
    )
    return (
        Change.CONSULTATION,
        scene.supervised.pk,
        None,
        {f"project:{scene.supervised.pk}": "是否加装电梯？", "/api/v1/consultation/": "是否加装电梯？"},
    )


def _site_issue(scene, personas):
    from renovation.supervision.services import site_issue_accept, site_issue_report
    from tests.supervision.fixtures import jpeg

    issue = site_issue_report(
        actor=scene.supervisor,
        project=scene.supervised,
        category="quality",
        severity="general",
        description="5幢屋面渗水",
        location="5幢",
        photos=[jpeg()],
    )
    site_issue_accept(actor=personas.street_a, issue=issue)
    return (
        Change.SITE_ISSUE,
        scene.supervised.pk,
        None,
        {f"project:{scene.supervised.pk}": "5幢屋面渗水", "/api/v1/site-issues/": "5幢屋面渗水"},
    )


def _comment(scene, personas):
    from renovation.discussion.selectors import project_thread
    from renovation.discussion.services import comment_post

    comment_post(actor=personas.resident, thread=project_thread(scene.tendered), text="什么时候开始施工？")
    return Change.COMMENT, scene.tendered.pk, None, {f"project:{scene.tendered.pk}": "什么时候开始施工？"}


def _evaluation(scene, personas):
    from renovation.evaluation.models import MonthlyEvaluation
    from renovation.evaluation.services import monthly_evaluations_freeze

    scene.supervised.__class__.objects.filter(pk=scene.supervised.pk).update(plan_year=timezone.localdate().year - 1)
    MonthlyEvaluation.objects.all().delete()
    monthly_evaluations_freeze(today=timezone.localdate())
    assert MonthlyEvaluation.objects.exists()
    return Change.EVALUATION, None, None, {}


def _page(scene, personas):
    from cms.models import ProjectPage

    page = ProjectPage.objects.get(project=scene.tendered)
    page.story = "<p>居民议事会决定优先改造雨污分流。</p>"
    page.save_revision().publish()
    return Change.PAGE, scene.tendered.pk, None, {f"project:{scene.tendered.pk}": "居民议事会决定优先改造雨污分流"}


def _site(scene, personas):
    from cms.models import HomePage

    home = HomePage.objects.get()
    home.intro = "<p>欢迎查看改造进展。</p>"
    home.save_revision().publish()
    return Change.SITE, None, None, {}


CASES: dict[str, Callable[[Any, Any], tuple]] = {
    "place": _place,
    "plan": _plan,
    "project": _project,
    "work_item": _work_item,
    "progress": _progress,
    "progress_photo": _progress_photo,
    "ledger": _ledger,
    "disclosure": _disclosure,
    "tender": _tender,
    "tender_step": _tender_step,
    "consultation": _consultation,
    "site_issue": _site_issue,
    "comment": _comment,
    "evaluation": _evaluation,
    "page": _page,
    "site": _site,
}


def test_it_walks_every_kind_of_change_in_the_list():
    walked = {CASES[name].__name__ for name in CASES}
    assert len(walked) == len(CASES)
    assert {Change(name) for name in CASES if name != "tender_step"} == set(Change) == set(CHANGE_PAGES)


@pytest.mark.parametrize("case", list(CASES))
def test_it_renders_exactly_the_pages_that_show_a_change_again(
    case, client, scene, personas, django_capture_on_commit_callbacks
):
    urls = scene.urls()
    _warm(client, urls)

    with django_capture_on_commit_callbacks(execute=True):
        change, project_id, tender_id, shows = CASES[case](scene, personas)

    scopes = set(scopes_for(change, project_id=project_id, tender_id=tender_id))
    named = {url for scope in scopes for url in scene.pages.get(scope, [])}
    stale = set(urls) if SITE in scopes else named
    assert stale, "every change shows somewhere"
    expected = {url: "miss" if url in stale else "hit" for url in urls}
    assert _state(client, urls) == expected
    for family, text in shows.items():  # a family (its first page) or one URL
        url = family if family.startswith("/") else scene.pages[family][0]
        assert text in _body(client, url), family


def test_nothing_is_invalidated_when_the_change_rolls_back(client, scene, personas, django_capture_on_commit_callbacks):
    from django.db import transaction

    from renovation.projects.services import project_update

    urls = scene.urls()
    _warm(client, urls)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                project_update(actor=personas.bureau, project=scene.tendered, data={"name": "不会保存的名字"})
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert set(_state(client, urls).values()) == {"hit"}


def test_a_page_stored_before_the_opening_time_is_not_served_after_it(client, scene, time_machine):
    url = f"/tenders/{scene.tender.pk}/"
    _warm(client, [url])
    time_machine.move_to(scene.tender.opening_at + timedelta(seconds=1))
    assert client.get(url)["X-Public-Cache"] == "miss"
