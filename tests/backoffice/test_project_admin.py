"""The Wagtail admin writes through the services and scopes what each staff member sees."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cms.models import ProjectPage
from renovation.projects.models import ProgressReportStatus, Project
from renovation.projects.services import progress_report_submit
from tests.factories import ProjectFactory, WorkItemFactory


def _project_form(neighbourhood, **overrides):
    data = {
        "neighbourhood": neighbourhood.pk,
        "code": "RA-2024-09",
        "plan_year": "2024",
        "status": "proposed",
        "name": "",
        "slug": "",
        "summary": "",
        "budget_central": "1000000",
        "budget_provincial": "0",
        "budget_city": "500000",
        "budget_resident": "0",
        "budget_other": "0",
        "planned_start": "2024-03-01",
        "planned_end": "2024-11-30",
        "actual_start": "",
        "actual_end": "",
        "supervising_engineer": "",
        "staff_in_charge": "",
    }
    data.update(overrides)
    return data


def _edit_form(project, **overrides):
    """The edit form as the browser posts it: the project's current values plus the changes."""
    return _project_form(
        project.neighbourhood,
        code=project.code,
        slug=project.slug,
        name=project.name,
        status=project.status,
        **overrides,
    )


def test_it_lets_bureau_staff_create_a_project_and_publishes_its_page(login, personas):
    client = login(personas.bureau)
    response = client.post(reverse("project:add"), _project_form(personas.street_a_place))
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(code="RA-2024-09")
    assert project.history.get().history_user == personas.bureau
    page = ProjectPage.objects.get(project=project)
    assert page.live
    assert client.get(page.url).status_code == 200


def test_it_shows_street_staff_only_their_streets_projects(login, personas):
    own = ProjectFactory(neighbourhood=personas.street_a_place, name="安阳的项目")
    other = ProjectFactory(neighbourhood=personas.street_b_place, name="玉海的项目")
    html = login(personas.street_a).get(reverse("project:index")).content.decode()
    assert own.name in html
    assert other.name not in html


def test_it_answers_403_when_street_staff_open_another_streets_project(login, personas):
    other = ProjectFactory(neighbourhood=personas.street_b_place)
    client = login(personas.street_a)
    assert client.get(reverse("project:edit", args=[other.pk])).status_code == 403
    response = client.post(
        reverse("project:edit", args=[other.pk]),
        _project_form(personas.street_b_place, code=other.code, slug=other.slug, name="被改了"),
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.name != "被改了"


def test_it_keeps_the_form_and_says_why_when_dates_are_wrong(login, personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place)
    client = login(personas.street_a)
    response = client.post(
        reverse("project:edit", args=[project.pk]),
        _edit_form(project, actual_start="2023-05-01", actual_end="2023-04-01", summary="保留我输入的内容"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "实际竣工日期不能早于实际开工日期" in html
    assert "保留我输入的内容" in html
    project.refresh_from_db()
    assert project.actual_end is None


def test_it_offers_street_staff_only_their_neighbourhoods(login, personas):
    html = login(personas.street_a).get(reverse("project:add")).content.decode()
    assert personas.street_a_place.name in html
    assert personas.street_b_place.name not in html


def test_it_refuses_deleting_projects_even_for_superusers(login, personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place)
    response = login(personas.superuser).post(reverse("project:delete", args=[project.pk]))
    assert response.status_code in (403, 404)
    assert Project.objects.filter(pk=project.pk).exists()


def test_it_shows_who_changed_what_in_the_history_view(login, personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place)
    client = login(personas.bureau)
    client.post(
        reverse("project:edit", args=[project.pk]),
        _edit_form(project, supervising_engineer="温州建设监理有限公司"),
    )
    html = client.get(reverse("project:history", args=[project.pk])).content.decode()
    assert "温州建设监理有限公司" in html
    assert "编辑项目" in html  # the operation, by its readable name


@pytest.fixture
def pending_report(personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place)
    item = WorkItemFactory(project=project, budget=Decimal("100000"))
    return progress_report_submit(actor=personas.street_a, work_item=item, percent=Decimal("45"))


def test_it_lets_bureau_staff_confirm_a_report_in_the_admin(login, personas, pending_report):
    response = login(personas.bureau).post(
        reverse("progressreport:edit", args=[pending_report.pk]), {"decision": "confirm", "review_note": "核实"}
    )
    assert response.status_code == 302
    pending_report.refresh_from_db()
    assert pending_report.status == ProgressReportStatus.CONFIRMED
    assert pending_report.work_item.project.progress == Decimal("45.00")


def test_it_keeps_street_staff_out_of_the_review(login, personas, pending_report):
    client = login(personas.street_a)
    response = client.post(reverse("progressreport:edit", args=[pending_report.pk]), {"decision": "confirm"})
    assert response.status_code == 403
    pending_report.refresh_from_db()
    assert pending_report.status == ProgressReportStatus.PENDING
    # They can still read it.
    assert client.get(reverse("progressreport:inspect", args=[pending_report.pk])).status_code == 200


def test_it_lets_street_staff_record_a_progress_report(login, personas):
    item = WorkItemFactory(project=ProjectFactory(neighbourhood=personas.street_a_place))
    response = login(personas.street_a).post(
        reverse("progressreport:add"),
        {"work_item": item.pk, "percent": "30", "reported_on": "2023-06-01", "note": "已进场"},
    )
    assert response.status_code == 302
    report = item.progress_reports.get()
    assert report.reported_by == personas.street_a


def test_it_refuses_a_report_over_100_percent_with_a_message(login, personas):
    item = WorkItemFactory(project=ProjectFactory(neighbourhood=personas.street_a_place))
    response = login(personas.street_a).post(
        reverse("progressreport:add"), {"work_item": item.pk, "percent": "120", "reported_on": "2023-06-01"}
    )
    assert response.status_code == 200
    assert item.progress_reports.count() == 0
    assert "100" in response.content.decode()


def test_it_keeps_the_public_out_of_the_admin(client, personas):
    response = client.get(reverse("project:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_its_project_listing_query_count_does_not_grow(login, personas):
    client = login(personas.street_a)
    for _ in range(5):
        ProjectFactory(neighbourhood=personas.street_a_place)
    client.get(reverse("project:index"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("project:index"))
    for _ in range(45):
        ProjectFactory(neighbourhood=personas.street_a_place)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("project:index"))
    assert len(few) == len(many)


def test_its_history_view_query_count_does_not_grow(login, personas):
    from renovation.projects.services import project_update

    project = ProjectFactory(neighbourhood=personas.street_a_place)
    client = login(personas.bureau)
    url = reverse("project:history", args=[project.pk])
    for index in range(3):
        project_update(actor=personas.bureau, project=project, data={"summary": f"v{index}"})
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(30):
        project_update(actor=personas.bureau, project=project, data={"summary": f"w{index}"})
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)


def test_it_lists_pending_reports_on_the_bureau_dashboard(login, personas, pending_report):
    html = login(personas.bureau).get(reverse("wagtailadmin_home")).content.decode()
    assert pending_report.work_item.description in html
    assert reverse("progressreport:edit", args=[pending_report.pk]) in html


def test_it_shows_street_staff_only_their_pending_reports(login, personas, pending_report):
    html = login(personas.street_b).get(reverse("wagtailadmin_home")).content.decode()
    assert pending_report.work_item.description not in html


def test_it_lets_bureau_staff_edit_a_project_pages_story(login, personas):
    from cms.services import project_page_ensure

    page = project_page_ensure(project=ProjectFactory(neighbourhood=personas.street_a_place))
    assert login(personas.bureau).get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code == 200
