from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from renovation.supervision.models import ConstructionUnit, IssueStatus, SiteIssue, Supervisor
from renovation.supervision.permissions import built_project_ids
from renovation.supervision.services import site_issue_accept
from tests.finance.factories import contract_for


def _supervisor_form(personas, cast, **overrides):
    data = {
        "username": "wang_ayi",
        "full_name": "王阿姨",
        "email": "",
        "password": "Feiyun-2026-garden",
        "home_neighbourhood": personas.street_a_place.pk,
        "appointed_by": "安阳街道办事处",
        "term_start": "2026-01-01",
        "term_end": "2028-12-31",
        "projects": [cast.project.pk],
    }
    data.update(overrides)
    return data


def test_it_lets_the_bureau_appoint_a_supervisor_with_a_new_account(login, personas, cast):
    response = login(personas.bureau).post(reverse("supervisor:add"), _supervisor_form(personas, cast))
    assert response.status_code == 302, response.content.decode()[:3000]
    supervisor = Supervisor.objects.get(user__username="wang_ayi")
    assert supervisor.user.check_password("Feiyun-2026-garden")
    assert supervisor.user.first_name == "王阿姨"
    assert list(supervisor.projects.all()) == [cast.project]
    assert supervisor.term_end == date(2028, 12, 31)
    assert supervisor.history.first().history_user == personas.bureau


def test_it_refuses_a_term_that_ends_before_it_starts(login, personas, cast):
    response = login(personas.bureau).post(
        reverse("supervisor:add"), _supervisor_form(personas, cast, term_start="2027-01-01", term_end="2026-01-01")
    )
    assert response.status_code == 200
    assert not Supervisor.objects.filter(user__username="wang_ayi").exists()


def test_it_refuses_reusing_a_staff_account(login, personas, cast):
    response = login(personas.bureau).post(
        reverse("supervisor:add"), _supervisor_form(personas, cast, username=personas.street_a.username)
    )
    assert response.status_code == 200
    assert not Supervisor.objects.filter(user=personas.street_a).exists()


def test_it_keeps_street_staff_from_appointing(login, personas, cast):
    response = login(personas.street_a).post(reverse("supervisor:add"), _supervisor_form(personas, cast))
    assert response.status_code == 403
    assert not Supervisor.objects.filter(user__username="wang_ayi").exists()


def test_it_lets_the_bureau_register_a_construction_unit_with_an_account(login, personas, cast):
    company = contract_for(cast.project, company="浙江安居市政园林有限公司").contractor
    response = login(personas.bureau).post(
        reverse("constructionunit:add"),
        {
            "name": "浙江安居市政园林有限公司",
            "contact_phone": "0577-65800000",
            "members": [],
            "new_member_username": "anju_site",
            "new_member_full_name": "安居项目部",
            "new_member_email": "",
            "new_member_password": "Anju-site-2026!",
            "company": company.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    unit = ConstructionUnit.objects.get(name="浙江安居市政园林有限公司")
    assert [user.username for user in unit.members.all()] == ["anju_site"]
    assert unit.company == company
    # It answers for the projects its company holds contracts for, and only those.
    assert built_project_ids(unit.members.get()) == {cast.project.pk}


def test_it_lists_site_issues_by_street_for_street_staff(login, personas, cast, reported_issue):
    issue = reported_issue()
    assert f"#{issue.pk} " in login(personas.street_a).get(reverse("siteissue:index")).content.decode()
    html = login(personas.street_b).get(reverse("siteissue:index")).content.decode()
    assert f"#{issue.pk} " not in html


def test_it_lets_street_staff_accept_in_the_admin(login, personas, cast, reported_issue):
    issue = reported_issue()
    response = login(personas.street_a).post(
        reverse("siteissue:edit", args=[issue.pk]), {"decision": "accept", "deadline": "", "note": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    issue.refresh_from_db()
    assert issue.status == IssueStatus.ACCEPTED and issue.deadline


def test_it_keeps_other_streets_out_of_the_review(login, personas, cast, reported_issue):
    issue = reported_issue()
    response = login(personas.street_b).post(
        reverse("siteissue:edit", args=[issue.pk]), {"decision": "reject", "note": "x"}
    )
    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SUBMITTED


def test_it_shows_open_issues_overdue_first_on_the_dashboard(login, personas, cast, reported_issue):
    waiting = reported_issue(description="等待受理")
    late = reported_issue(description="已经超期")
    site_issue_accept(actor=personas.street_a, issue=late)
    SiteIssue.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=2))
    html = login(personas.street_a).get(reverse("wagtailadmin_home")).content.decode()
    panel = html.split('id="open-issues-heading"', 1)[1]
    assert panel.index(f"#{late.pk} ") < panel.index(f"#{waiting.pk} ")


def test_its_issue_listing_query_count_does_not_grow(login, personas, cast, reported_issue):
    client = login(personas.street_a)
    reported_issue()
    client.get(reverse("siteissue:index"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("siteissue:index"))
    for _ in range(8):
        reported_issue()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("siteissue:index"))
    assert len(few) == len(many)
