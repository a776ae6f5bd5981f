"""The staff desk in the admin and the household register screens: scoped by street."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from renovation.consultation.models import DeliberationStage, Intent
from renovation.projects.models import ProjectStatus
from tests.consultation.pages import SECRET_NAMES, SECRET_PHONES, consultation_scene


def _desk(project) -> str:
    return reverse("consultation_desk", args=[project.pk])


@pytest.mark.parametrize(("who", "status"), [("street_a", 200), ("bureau", 200), ("street_b", 403)])
def test_it_opens_the_desk_to_the_projects_street_and_the_bureau(login, personas, consulting, who, status):
    assert login(getattr(personas, who)).get(_desk(consulting)).status_code == status


def test_it_keeps_residents_out_of_the_desk(login, personas, consulting):
    response = login(personas.resident).get(_desk(consulting))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_it_records_a_paper_intent_from_the_desk(login, personas, consulting, register):
    household = register(1)[0]
    response = login(personas.street_a).post(
        _desk(consulting),
        {
            "action": "intent",
            "intent-household": household.address,
            "intent-choice": "agree",
            "intent-channel": "paper",
            "intent-day": "2023-03-02",
        },
    )
    assert response.status_code == 302
    intent = Intent.objects.get()
    assert (intent.channel, intent.responded_on, intent.recorded_by) == ("paper", date(2023, 3, 2), personas.street_a)


def test_it_shows_a_refused_stage_on_the_desk_with_the_reason(login, personas, consulting):
    client = login(personas.street_a)
    client.post(_desk(consulting), {"action": "deliberation", "deliberation-subject": "加装电梯"})
    deliberation = consulting.deliberations.get()
    response = client.post(
        _desk(consulting),
        {
            "action": "stage",
            "deliberation": deliberation.pk,
            "stage-stage": "assembly_approval",
            "stage-held_on": "2023-03-01",
            "stage-outcome": "approved",
        },
    )
    assert response.status_code == 400 and "不能跳过或颠倒顺序" in response.content.decode()
    assert not DeliberationStage.objects.exists()


def test_it_lists_households_of_the_users_street_only(login, personas, register):
    register(2)
    register(1, neighbourhood=personas.street_b_place)
    index = reverse("consultation_household:index")
    assert login(personas.street_a).get(index).context["object_list"].count() == 2
    assert login(personas.street_b).get(index).context["object_list"].count() == 1
    assert login(personas.bureau).get(index).context["object_list"].count() == 3


def test_it_links_a_resident_account_from_the_register(login, personas, register):
    household = register(1)[0]
    response = login(personas.street_a).post(
        reverse("consultation_household:edit", args=[household.pk]),
        {
            "neighbourhood": household.neighbourhood_id,
            "building": household.building,
            "unit": household.unit,
            "room": household.room,
            "floor_area": "80",
            "contact_name": "王五",
            "phone": "13800000000",
            "resident_username": "resident",
        },
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.resident == personas.resident


def test_it_refuses_to_link_a_staff_account(login, personas, register):
    household = register(1)[0]
    response = login(personas.street_a).post(
        reverse("consultation_household:edit", args=[household.pk]),
        {
            "neighbourhood": household.neighbourhood_id,
            "building": household.building,
            "unit": household.unit,
            "room": household.room,
            "resident_username": "staff_b",
        },
    )
    assert response.status_code == 200 and "工作人员账号不能代表住户" in response.content.decode()


def test_it_exports_ratings_with_addresses_but_no_contact_details(login, personas):
    project, _page = consultation_scene(personas, households=6, status=ProjectStatus.ACCEPTED, code="EXP")
    response = login(personas.street_a).get(reverse("consultation_satisfaction", args=[project.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:6] == ("项目编号", "项目名称", "楼栋", "单元", "室号", "总体评分（1-5）")
    assert len(rows) == 2 + 6
    assert rows[2][2:6] == ("1", "1", "101", 4)
    text = repr(rows)
    for secret in (*SECRET_NAMES, *SECRET_PHONES):
        assert secret not in text


def test_its_export_query_count_does_not_grow_with_ratings(login, personas):
    small, _ = consultation_scene(personas, households=3, status=ProjectStatus.ACCEPTED, code="XS")
    large, _ = consultation_scene(personas, households=30, status=ProjectStatus.ACCEPTED, code="XL")
    client = login(personas.street_a)
    counts = []
    for project in (small, large):
        client.get(reverse("consultation_satisfaction", args=[project.pk]))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("consultation_satisfaction", args=[project.pk]))
            b"".join(response.streaming_content)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_it_refuses_the_export_to_another_street(login, personas):
    project, _page = consultation_scene(personas, households=2, status=ProjectStatus.ACCEPTED, code="OTH")
    assert login(personas.street_b).get(reverse("consultation_satisfaction", args=[project.pk])).status_code == 403


def test_its_desk_query_count_does_not_grow_with_households(login, personas):
    small, _ = consultation_scene(personas, households=3, status=ProjectStatus.ACCEPTED, code="DS")
    large, _ = consultation_scene(personas, households=30, status=ProjectStatus.ACCEPTED, code="DL")
    client = login(personas.street_a)
    counts = []
    for project in (small, large):
        client.get(_desk(project))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_desk(project)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_its_register_list_query_count_does_not_grow_with_households(login, personas, register):
    client = login(personas.street_a)
    index = reverse("consultation_household:index")
    register(2)
    client.get(index)
    with CaptureQueriesContext(connection) as few:
        client.get(index)
    register(20)
    with CaptureQueriesContext(connection) as many:
        client.get(index)
    assert len(few) == len(many)


def test_it_names_the_next_stage_and_offers_it_first(login, personas, consulting):
    from django.utils import timezone

    from renovation.consultation.services import deliberation_stage_record, deliberation_start

    deliberation = deliberation_start(actor=personas.street_a, project=consulting, subject="加装电梯")
    deliberation_stage_record(
        actor=personas.street_a,
        deliberation=deliberation,
        stage="committee_review",
        held_on=timezone.localdate(),
        outcome="approved",
    )
    html = login(personas.street_a).get(reverse("consultation_desk_deliberations", args=[consulting.pk])).content
    html = html.decode()
    assert "下一环节： <strong>小区党组织审核</strong>" in html
    assert '<option value="party_review" selected>' in html
    assert "业委会审议 · 通过" in html


def test_it_lists_consulting_projects_first_with_their_tally_at_a_fixed_query_count(login, personas):
    consultation_scene(personas, households=4, code="C1")
    client = login(personas.street_a)
    index = reverse("consultation_index")
    client.get(index)
    with CaptureQueriesContext(connection) as few:
        page = client.get(index).content.decode()
    assert "4 户中 3 户同意（75%；门槛 2/3）" in page
    consultation_scene(personas, households=8, code="C2")
    consultation_scene(personas, households=2, code="C3", status=ProjectStatus.ACCEPTED)
    with CaptureQueriesContext(connection) as many:
        client.get(index)
    assert len(few) == len(many)


def test_it_lists_intents_of_the_users_street_read_only(login, personas):
    project, _page = consultation_scene(personas, households=3, code="IL")
    index = reverse("consultation_intent:index")
    assert login(personas.street_a).get(index).context["object_list"].count() == 3
    assert login(personas.street_b).get(index).context["object_list"].count() == 0
    intent = project.intents.first()
    edit = reverse("consultation_intent:edit", args=[intent.pk])
    assert login(personas.street_b).get(edit).status_code == 403
    response = login(personas.street_a).post(
        edit, {"choice": "abstain", "channel": "on_site", "responded_on": str(intent.responded_on)}
    )
    assert response.status_code == 302
    choices = [row.choice for row in intent.history.order_by("history_id")]
    assert choices == [intent.choice, "abstain"]


def test_it_refuses_to_correct_an_intent_once_consulting_is_over(login, personas):
    project, _page = consultation_scene(personas, households=1, code="IC")
    project.status = ProjectStatus.APPROVED
    project.save()
    intent = project.intents.get()
    response = login(personas.street_a).post(
        reverse("consultation_intent:edit", args=[intent.pk]),
        {"choice": "agree", "channel": "paper", "responded_on": str(intent.responded_on)},
    )
    assert response.status_code == 200 and "征询" in response.content.decode()
    assert project.intents.get().choice == "disagree"  # the scene's only household disagreed


def test_its_intent_list_query_count_does_not_grow_with_intents(login, personas):
    client = login(personas.street_a)
    index = reverse("consultation_intent:index")
    consultation_scene(personas, households=2, code="Q1")
    client.get(index)
    with CaptureQueriesContext(connection) as few:
        client.get(index)
    consultation_scene(personas, households=20, code="Q2")
    with CaptureQueriesContext(connection) as many:
        client.get(index)
    assert len(few) == len(many)
