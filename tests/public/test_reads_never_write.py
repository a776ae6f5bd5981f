"""A GET of a public page never writes: it can be cached, and a crowd of readers cannot lock rows."""

from datetime import timedelta

import pytest
from django.db import connection

from cms.models import ProjectPage
from renovation.discussion.models import Thread
from renovation.tendering.models import TenderStatus
from tests.tendering.fixtures import open_now

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


class WriteRecorder:
    def __init__(self) -> None:
        self.writes: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(WRITES):
            self.writes.append(sql)
        return execute(sql, params, many, context)


def _get_without_writes(client, url: str):
    recorder = WriteRecorder()
    with connection.execute_wrapper(recorder):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert recorder.writes == [], url
    return response, body.decode(errors="replace")  # the Excel files are binary


def test_no_public_page_writes(client, scene):
    for url in scene.urls():
        response, _body = _get_without_writes(client, url)
        assert response.status_code == 200, url


def test_a_project_page_without_a_thread_shows_no_comments_and_opens_none(client, scene):
    Thread.objects.filter(project=scene.tendered).delete()
    url = ProjectPage.objects.get(project=scene.tendered).url
    _response, body = _get_without_writes(client, url)
    assert "暂无留言" in body
    assert not Thread.objects.filter(project=scene.tendered).exists()


def test_a_new_project_page_opens_its_thread(scene):
    assert Thread.objects.filter(project=scene.tendered).exists()


def test_the_tender_page_shows_the_opening_before_the_job_records_it(client, tender_cast):
    tender_cast.three_bids()
    tender = open_now(tender_cast.tender)
    assert tender.status == TenderStatus.BIDDING  # stored: the job has not run
    _response, body = _get_without_writes(client, f"/tenders/{tender.pk}/")
    assert "已开标" in body
    assert "开标记录" in body
    tender.refresh_from_db()
    assert tender.status == TenderStatus.BIDDING


def test_a_tender_with_too_few_bids_shows_as_failed_at_its_opening_time(client, tender_cast):
    tender_cast.bid(0)
    tender = open_now(tender_cast.tender)
    _response, body = _get_without_writes(client, f"/tenders/{tender.pk}/")
    assert "流标" in body
    tender.refresh_from_db()
    assert tender.status == TenderStatus.BIDDING


def test_the_tender_list_shows_a_tender_taking_bids_once_its_bid_period_began(client, tender_cast, personas):
    from renovation.tendering.models import Tender

    start = tender_cast.tender.bid_period_start
    Tender.objects.filter(pk=tender_cast.tender.pk).update(
        status=TenderStatus.ANNOUNCED, bid_period_start=start - timedelta(minutes=5)
    )
    _response, body = _get_without_writes(client, "/tenders/")
    assert "接收投标中" in body
    assert Tender.objects.get(pk=tender_cast.tender.pk).status == TenderStatus.ANNOUNCED
