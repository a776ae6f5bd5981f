"""The resident's mobile page: a linked account answers for its household, in few steps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from renovation.consultation.models import Intent, SatisfactionRating, Vote
from renovation.consultation.services import decision_item_create
from renovation.projects.models import ProjectStatus
from tests.factories import WorkItemFactory


def _url(project) -> str:
    return f"/consultation/{project.pk}/"


def test_it_sends_anonymous_visitors_to_sign_in(client, consulting):
    response = client.get(_url(consulting))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_tells_an_unlinked_account_to_ask_the_street_office(login, consulting, stranger):
    html = login(stranger).get(_url(consulting)).content.decode()
    assert "尚未关联本小区的住户" in html


def test_it_records_a_linked_residents_intent_and_lets_them_change_it(login, personas, consulting, linked):
    client = login(personas.resident)
    page = client.get(_url(consulting)).content.decode()
    assert linked.address in page and "您是否同意改造？" in page
    prefix = f"i{linked.pk}"
    response = client.post(_url(consulting), {"action": "intent", "household": linked.pk, f"{prefix}-choice": "agree"})
    assert response.status_code == 302
    client.post(_url(consulting), {"action": "intent", "household": linked.pk, f"{prefix}-choice": "abstain"})
    intent = Intent.objects.get()
    assert (intent.choice, intent.channel, intent.recorded_by) == ("abstain", "online", personas.resident)
    assert "已登记：弃权" in client.get(_url(consulting)).content.decode()


def test_it_refuses_another_households_answer(login, personas, consulting, linked, register):
    other = register(1)[0]
    response = login(personas.resident).post(
        _url(consulting), {"action": "intent", "household": other.pk, f"i{other.pk}-choice": "agree"}
    )
    assert response.status_code == 404
    assert not Intent.objects.exists()


def test_it_refuses_intents_once_consulting_is_over(login, personas, consulting, linked):
    consulting.status = ProjectStatus.APPROVED
    consulting.save()
    client = login(personas.resident)
    assert "您是否同意改造？" not in client.get(_url(consulting)).content.decode()
    response = client.post(
        _url(consulting), {"action": "intent", "household": linked.pk, f"i{linked.pk}-choice": "agree"}
    )
    assert response.status_code == 400 and "征询" in response.content.decode()
    assert not Intent.objects.exists()


def test_it_takes_one_vote_per_household(login, personas, consulting, linked):
    today = timezone.localdate()
    item = decision_item_create(
        actor=personas.street_a,
        project=consulting,
        question="改造后的管理方式",
        options=["物业", "自管"],
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=1),
    )
    option = item.options.first()
    client = login(personas.resident)
    data = {"action": "vote", "household": linked.pk, "item": item.pk, f"v{linked.pk}-{item.pk}-option": option.pk}
    assert client.post(_url(consulting), data).status_code == 302
    page = client.get(_url(consulting)).content.decode()
    assert "改造后的管理方式" not in page  # voted: the ballot is gone
    second = client.post(_url(consulting), data)
    assert second.status_code == 400 and "已就此议题投过票" in second.content.decode()
    assert Vote.objects.count() == 1


def test_it_lets_a_household_rate_once_after_acceptance(login, personas, consulting, linked):
    WorkItemFactory(project=consulting, category="building")
    client = login(personas.resident)
    data = {
        "action": "rate",
        "household": linked.pk,
        f"r{linked.pk}-overall": 4,
        f"r{linked.pk}-score_building": 5,
        f"r{linked.pk}-comment": "很好",
    }
    refused = client.post(_url(consulting), data)
    assert refused.status_code == 400 and "竣工验收后" in refused.content.decode()
    consulting.status = ProjectStatus.ACCEPTED
    consulting.save()
    assert client.post(_url(consulting), data).status_code == 302
    rating = SatisfactionRating.objects.get()
    assert (rating.overall, rating.channel, list(rating.scores.values_list("category", "score"))) == (
        4,
        "online",
        [("building", 5)],
    )
    again = client.post(_url(consulting), data)
    assert again.status_code == 400
    assert SatisfactionRating.objects.count() == 1


@pytest.mark.parametrize("status", [ProjectStatus.UNDER_CONSTRUCTION, ProjectStatus.APPROVED])
def test_it_has_nothing_to_rate_before_acceptance(login, personas, consulting, linked, status):
    consulting.status = status
    consulting.save()
    assert "本项目目前没有需要您答复的事项" in login(personas.resident).get(_url(consulting)).content.decode()


def test_it_lists_the_projects_of_the_residents_households(login, personas, consulting, linked, stranger):
    assert consulting.name in login(personas.resident).get("/consultation/").content.decode()
    assert "尚未关联" in login(stranger).get("/consultation/").content.decode()


def test_a_linked_resident_finds_the_household_page_from_my_work(linked, personas, client):
    client.force_login(personas.resident)
    assert 'href="/consultation/"' in client.get("/supervise/").content.decode()
