"""Before the question 改不改, the household reads what it decides on: the works, the cost and the
residents' share, the schedule, the documents and the deadline; a paper answer already recorded is
shown and is replaced only when the resident confirms it."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from renovation.consultation.models import Intent
from renovation.consultation.services import (
    consultation_rule_set,
    deliberation_stage_record,
    deliberation_start,
    intent_record,
)
from renovation.figures import format_wan_yuan, format_yuan
from tests.factories import WorkItemFactory


def _url(project) -> str:
    return f"/consultation/{project.pk}/"


def _zh(format_, value) -> str:
    with translation.override("zh-hans"):
        return format_(value)


def test_it_shows_the_works_cost_share_schedule_and_deadline_before_the_question(login, personas, consulting, linked):
    consulting.budget_resident = Decimal("120000")
    consulting.save()
    WorkItemFactory(project=consulting, category="building", description="外墙保温及涂料")
    WorkItemFactory(project=consulting, category="greening", description="补植乔灌木")
    deadline = timezone.localdate() + timedelta(days=14)
    consultation_rule_set(
        actor=personas.street_a, project=consulting, numerator=2, denominator=3, intent_closes_on=deadline
    )
    page = login(personas.resident).get(_url(consulting)).content.decode()
    brief = page[: page.index("您是否同意改造？")]
    for text in (
        "请您决定的事项",
        f"请于 {deadline.isoformat()} 前答复。",
        "建筑",
        "外墙保温及涂料",
        "景观绿化",
        "补植乔灌木",
        _zh(format_wan_yuan, Decimal("920000")),  # 50 + 30 (factory subsidies) + 12 (residents)
        f"居民出资 {_zh(format_wan_yuan, Decimal('120000'))}（占总投资 13%）",
        f"平均每户约 {_zh(format_yuan, Decimal('120000'))}",  # one household in the register
        "计划开工 2023-03-01 · 计划完工 2023-11-30",
    ):
        assert text in brief, text


def test_it_lists_the_deliberations_attachments_as_documents(login, personas, consulting, linked):
    deliberation = deliberation_start(actor=personas.street_a, project=consulting, subject="改造方案")
    deliberation_stage_record(
        actor=personas.street_a,
        deliberation=deliberation,
        stage="committee_review",
        held_on=timezone.localdate(),
        outcome="approved",
        attachment=SimpleUploadedFile("方案.pdf", b"%PDF-1.4"),
    )
    page = login(personas.resident).get(_url(consulting)).content.decode()
    stage = deliberation.stages.get()
    assert f'href="{stage.attachment.url}"' in page
    assert "改造方案 · 业委会审议" in page


def test_it_says_when_there_are_no_documents_yet(login, personas, consulting, linked):
    assert "本项目尚未公布文件" in login(personas.resident).get(_url(consulting)).content.decode()


def test_it_shows_a_paper_answer_already_recorded(login, personas, consulting, linked):
    day = timezone.localdate()
    intent_record(
        actor=personas.street_a, project=consulting, household=linked, choice="agree", channel="paper", responded_on=day
    )
    page = login(personas.resident).get(_url(consulting)).content.decode()
    assert f"您家的答复已登记：同意（纸质意向书，{day.isoformat()}）" in page
    assert "确认以本次答复替换已登记的纸质答复" in page


def test_it_keeps_the_paper_answer_unless_the_resident_confirms(login, personas, consulting, linked):
    intent_record(actor=personas.street_a, project=consulting, household=linked, choice="agree", channel="paper")
    client = login(personas.resident)
    response = client.post(
        _url(consulting), {"action": "intent", "household": linked.pk, f"i{linked.pk}-choice": "disagree"}
    )
    assert response.status_code == 400 and "如要以本次答复替换，请勾选确认" in response.content.decode()
    assert (Intent.objects.get().choice, Intent.objects.get().channel) == ("agree", "paper")


def test_it_replaces_the_paper_answer_when_confirmed_and_says_so_in_the_history(login, personas, consulting, linked):
    intent_record(actor=personas.street_a, project=consulting, household=linked, choice="agree", channel="paper")
    client = login(personas.resident)
    data = {
        "action": "intent",
        "household": linked.pk,
        f"i{linked.pk}-choice": "disagree",
        f"i{linked.pk}-replace_paper": "on",
    }
    assert client.post(_url(consulting), data).status_code == 302
    intent = Intent.objects.get()
    assert (intent.choice, intent.channel, intent.recorded_by) == ("disagree", "online", personas.resident)
    assert intent.history.latest().history_change_reason == "intent_replace_paper"


def test_its_query_count_does_not_grow_with_works_and_documents(login, personas, consulting, linked):
    client = login(personas.resident)
    deliberation = deliberation_start(actor=personas.street_a, project=consulting, subject="改造方案")
    WorkItemFactory(project=consulting, category="building")
    client.get(_url(consulting))
    with CaptureQueriesContext(connection) as few:
        client.get(_url(consulting))
    WorkItemFactory.create_batch(6, project=consulting, category="networks")
    WorkItemFactory.create_batch(3, project=consulting, category="care")
    deliberation_stage_record(
        actor=personas.street_a,
        deliberation=deliberation,
        stage="committee_review",
        held_on=timezone.localdate(),
        outcome="approved",
        attachment=SimpleUploadedFile("纪要.pdf", b"%PDF-1.4"),
    )
    with CaptureQueriesContext(connection) as many:
        client.get(_url(consulting))
    assert len(few) == len(many)
