"""What the public sees of consultation: the tally toward the threshold, decision results, the
notices timeline and satisfaction, at a fixed number of queries, and never a household's identity."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import HomePage, ProjectIndexPage
from renovation.projects.models import ProjectStatus
from tests.consultation.pages import SECRET_NAMES, SECRET_PHONES, consultation_scene


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_it_shows_the_tally_toward_the_threshold(client, personas):
    _project, page = consultation_scene(personas, households=12, code="T12")
    html = client.get(page.url).content.decode()
    assert "改不改：住户意愿" in html
    assert "75%" in html  # 9 of 12 agree
    assert "门槛：须 2/3 的住户（8 户）同意。" in html and "已达到门槛。" in html
    assert "意愿征询正在进行" in html
    assert "threshold__mark" in html and "left: 66.70%" in html


def test_it_says_when_the_register_is_empty(client, personas, site_tree):
    from cms.services import project_page_ensure
    from tests.factories import ProjectFactory

    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.CONSULTING)
    html = client.get(project_page_ensure(project=project).url).content.decode()
    assert "住户名册尚未录入" in html and "483" in html and "还需 322 户同意。" in html


def test_it_shows_decision_results_and_the_notice_timeline(client, personas):
    _project, page = consultation_scene(personas, households=10, code="D10")
    html = client.get(page.url).content.decode()
    assert "是否加装电梯" in html and "加装" in html and "5 · 50%" in html and "已有 10 户投票" in html
    assert "议事公开" in html and "电梯费用分摊方案" in html and "业委会审议 · 通过" in html


def test_it_shows_satisfaction_after_acceptance_on_the_project_and_home_pages(client, personas):
    _project, page = consultation_scene(personas, households=10, status=ProjectStatus.ACCEPTED, code="S10")
    html = client.get(page.url).content.decode()
    assert "竣工后满意度" in html and "4.5 / 5" in html and "100%" in html and "楼道焕然一新3" in html
    assert "建筑" in html and "3.0 / 5" in html
    home = client.get(HomePage.objects.get().url).content.decode()
    assert "居民对已完工改造的满意度" in home and "4.5 / 5" in home


def test_its_query_count_does_not_grow_with_households_intents_and_votes(client, personas):
    _small, small_page = consultation_scene(personas, households=4, status=ProjectStatus.ACCEPTED, code="SMALL")
    _large, large_page = consultation_scene(personas, households=40, status=ProjectStatus.ACCEPTED, code="LARGE")
    client.get(small_page.url)
    client.get(large_page.url)
    assert _queries(client, small_page.url) == _queries(client, large_page.url)


@pytest.mark.parametrize("status", [ProjectStatus.CONSULTING, ProjectStatus.ACCEPTED])
def test_it_never_shows_a_households_identity_in_public(client, personas, status):
    project, page = consultation_scene(personas, households=6, status=status, code="PRIV")
    urls = [
        page.url,
        HomePage.objects.get().url,
        ProjectIndexPage.objects.get().url,
        f"{ProjectIndexPage.objects.get().url}?q=PRIV",
        f"/consultation/{project.pk}/",
    ]
    for url in urls:
        response = client.get(url, follow=True)
        html = response.content.decode()
        for secret in (*SECRET_NAMES, *SECRET_PHONES):
            assert secret not in html, (url, secret)
        assert "1幢1单元101" not in html and "幢1单元" not in html, url


def test_it_logs_a_threshold_change_and_deliberation_steps_publicly(client, personas):
    from renovation.consultation.services import consultation_rule_set

    project, page = consultation_scene(personas, households=4, code="LOG")
    consultation_rule_set(actor=personas.street_a, project=project, numerator=2, denominator=3)
    consultation_rule_set(actor=personas.street_a, project=project, numerator=3, denominator=4)
    html = client.get(f"{page.url}changes/").content.decode()
    assert "同意门槛" in html and "<del>2</del> → <ins>3</ins>" in html
    assert "<del>3</del> → <ins>4</ins>" in html


def test_it_says_consultation_has_not_started_for_a_proposed_project(client, personas, site_tree):
    from cms.services import project_page_ensure
    from tests.factories import ProjectFactory

    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.PROPOSED)
    html = client.get(project_page_ensure(project=project).url).content.decode()
    assert "尚未开始" in html and "还需" not in html
