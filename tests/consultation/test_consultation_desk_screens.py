"""The desk in screens per task under one sub-navigation, a household picker that takes the
address as written on the letter, and a stack of paper letters entered in rows, all or nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from renovation.consultation.models import Intent
from renovation.consultation.services import intent_record
from renovation.projects.models import ProjectStatus
from tests.consultation.pages import consultation_scene

SCREENS = [
    "consultation_desk",
    "consultation_desk_intents",
    "consultation_desk_letters",
    "consultation_desk_decisions",
    "consultation_desk_deliberations",
    "consultation_desk_satisfaction",
]


def _letters_url(project) -> str:
    return reverse("consultation_desk_letters", args=[project.pk])


def _dashed(household) -> str:
    return f"{household.building}-{household.unit}-{household.room}"


def _rows(*rows, total: int = 5, day=None) -> dict[str, str]:
    data = {
        "action": "letters",
        "letters-TOTAL_FORMS": str(total),
        "letters-INITIAL_FORMS": "0",
        "batch-received_on": (day or timezone.localdate()).isoformat(),
    }
    for n, row in enumerate(rows):
        for name, value in zip(("household", "choice", "received_on"), row, strict=False):
            data[f"letters-{n}-{name}"] = value
    return data


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize(("who", "status"), [("street_a", 200), ("bureau", 200), ("street_b", 403)])
def test_it_opens_each_screen_to_the_projects_street_and_the_bureau(login, personas, consulting, screen, who, status):
    response = login(getattr(personas, who)).get(reverse(screen, args=[consulting.pk]))
    assert response.status_code == status


def test_it_links_the_screens_from_one_sub_navigation_marking_the_current_one(login, personas, consulting):
    html = login(personas.street_a).get(_letters_url(consulting)).content.decode()
    for label in ("概况", "意愿与门槛", "纸质意见书", "议题", "三审两公开"):
        assert f">{label}</a>" in html
    assert f'href="{_letters_url(consulting)}" aria-current="page">纸质意见书</a>' in html


def test_its_overview_counts_the_answers_and_names_the_next_actions(login, personas):
    project, _page = consultation_scene(personas, households=8, code="OV")
    html = login(personas.street_a).get(reverse("consultation_desk", args=[project.pk])).content.decode()
    assert "共 8 户 · 已答复 8 户 · 同意 6 户" in html
    assert "纸质意向书 8" in html
    assert "尚未告知居民答复截止日期。" in html
    assert "议题“是否加装电梯”投票至" in html
    assert "“电梯费用分摊方案”：下一环节 " in html


def test_its_picker_offers_each_household_with_the_answer_on_record(login, personas, consulting, register):
    first, second = register(2)
    intent_record(actor=personas.street_a, project=consulting, household=first, choice="agree", channel="paper")
    html = login(personas.street_a).get(reverse("consultation_desk_intents", args=[consulting.pk])).content.decode()
    assert 'list="desk-households"' in html
    assert f'<option value="{first.address}" label="已答复：同意（纸质意向书）">' in html
    assert f'<option value="{second.address}" label="未答复">' in html


@pytest.mark.parametrize("written", ["{b}-{u}-{r}", "{b}幢{u}单元{r}", "{b}/{u}/{r}", "{b} {u} {r}室"])
def test_its_picker_takes_the_address_as_written_on_the_letter(login, personas, consulting, register, written):
    household = register(1)[0]
    text = written.format(b=household.building, u=household.unit, r=household.room)
    response = login(personas.street_a).post(
        reverse("consultation_desk_intents", args=[consulting.pk]),
        {
            "action": "intent",
            "intent-household": text,
            "intent-choice": "agree",
            "intent-channel": "paper",
            "intent-day": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert Intent.objects.get().household == household


def test_its_picker_names_an_address_not_in_the_register(login, personas, consulting, register):
    register(1)
    response = login(personas.street_a).post(
        reverse("consultation_desk_intents", args=[consulting.pk]),
        {"action": "intent", "intent-household": "99-9-999", "intent-choice": "agree", "intent-channel": "paper"},
    )
    assert response.status_code == 400 and "本小区住户名册中没有 99-9-999。" in response.content.decode()
    assert not Intent.objects.exists()


def test_it_saves_a_stack_of_letters_with_their_dates(login, personas, consulting, register):
    households = register(3)
    today = timezone.localdate()
    earlier = today - timedelta(days=3)
    data = _rows(
        (_dashed(households[0]), "agree", ""),
        (households[1].address, "disagree", earlier.isoformat()),
        ("", "", ""),
        (_dashed(households[2]), "abstain", ""),
    )
    response = login(personas.street_a).post(_letters_url(consulting), data)
    assert response.status_code == 302 and response["Location"] == _letters_url(consulting)
    saved = {i.household_id: (i.choice, i.channel, i.responded_on) for i in Intent.objects.all()}
    assert saved == {
        households[0].pk: ("agree", "paper", today),
        households[1].pk: ("disagree", "paper", earlier),
        households[2].pk: ("abstain", "paper", today),
    }


def test_it_saves_no_letter_when_a_row_names_an_unknown_household(login, personas, consulting, register):
    households = register(2)
    data = _rows((_dashed(households[0]), "agree"), ("8-8-808", "agree"), (_dashed(households[1]), "agree"))
    response = login(personas.street_a).post(_letters_url(consulting), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "未保存任何内容。" in html and "第 2 行：住户（幢-单元-室）：本小区住户名册中没有 8-8-808。" in html
    assert f'value="{_dashed(households[1])}"' in html  # what was typed is kept
    assert not Intent.objects.exists()


def test_it_saves_no_letter_when_a_row_lacks_its_answer(login, personas, consulting, register):
    households = register(2)
    data = _rows((_dashed(households[0]), "agree"), (_dashed(households[1]), ""))
    response = login(personas.street_a).post(_letters_url(consulting), data)
    assert response.status_code == 400 and "第 2 行：答复：" in response.content.decode()
    assert not Intent.objects.exists()


def test_it_saves_no_letter_when_the_service_refuses_a_row(login, personas, consulting, register):
    first, second = register(2)
    intent_record(actor=personas.street_a, project=consulting, household=first, choice="agree", channel="online")
    data = _rows((_dashed(second), "agree"), (_dashed(first), "disagree"))
    response = login(personas.street_a).post(_letters_url(consulting), data)
    assert (
        response.status_code == 400 and f"第 2 行：{first.address} 已有答复（同意，线上，" in response.content.decode()
    )
    assert Intent.objects.count() == 1


def test_it_refuses_letters_to_staff_of_another_street(login, personas, consulting, register):
    household = register(1)[0]
    response = login(personas.street_b).post(_letters_url(consulting), _rows((_dashed(household), "agree")))
    assert response.status_code == 403
    assert not Intent.objects.exists()


def test_it_offers_more_rows_for_a_larger_stack(login, personas, consulting):
    html = login(personas.street_a).get(_letters_url(consulting) + "?rows=30").content.decode()
    assert 'name="letters-29-household"' in html and 'name="letters-30-household"' not in html


def test_its_screens_query_counts_do_not_grow_with_households(login, personas):
    small, _ = consultation_scene(personas, households=3, status=ProjectStatus.ACCEPTED, code="S1")
    large, _ = consultation_scene(personas, households=30, status=ProjectStatus.ACCEPTED, code="S2")
    client = login(personas.street_a)
    for screen in SCREENS:
        counts = []
        for project in (small, large):
            client.get(reverse(screen, args=[project.pk]))
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(screen, args=[project.pk])).status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1], screen


def test_its_letters_screen_query_count_does_not_grow_with_rows(login, personas, consulting, register):
    households = register(13)
    client = login(personas.street_a)
    client.get(_letters_url(consulting))
    # The project's first change also gives it its public summary row (cms.summary): once, not per row.
    assert client.post(_letters_url(consulting), _rows((_dashed(households[12]), "agree"), total=1)).status_code == 302
    counts = []
    for batch in (households[:2], households[2:12]):
        data = _rows(*[(_dashed(household), "agree") for household in batch], total=len(batch))
        with CaptureQueriesContext(connection) as queries:
            assert client.post(_letters_url(consulting), data).status_code == 302
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Intent.objects.count() == 13
