from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.services import project_page_ensure
from renovation.supervision.models import SiteIssue
from renovation.supervision.selectors import project_response_figures
from renovation.supervision.services import site_issue_accept, site_issue_confirm, site_issue_rectify, site_issue_reject
from tests.supervision.fixtures import jpeg


def test_it_shows_before_and_after_photos_side_by_side(client, personas, cast, reported_issue):
    page = project_page_ensure(project=cast.project)
    issue = reported_issue()
    site_issue_accept(actor=personas.street_a, issue=issue)
    site_issue_rectify(actor=cast.builder, issue=issue, response="已整改", photos=[jpeg("after.jpg")])
    html = client.get(page.url).content.decode()
    section = html.split('id="site-issues"', 1)[1].split("</section>", 1)[0]
    before, after = issue.photos.get(kind="before"), issue.photos.get(kind="after")
    assert before.thumbnail_url in section and after.thumbnail_url in section
    assert "before-after" in section


def test_it_keeps_submitted_and_rejected_issues_private(client, personas, cast, reported_issue):
    page = project_page_ensure(project=cast.project)
    reported_issue(description="尚未受理的反映")
    rejected = reported_issue(description="不予受理的反映")
    site_issue_reject(actor=personas.street_a, issue=rejected, reason="不属实")
    html = client.get(page.url).content.decode()
    assert "尚未受理的反映" not in html and "不予受理的反映" not in html
    assert project_response_figures(cast.project).reported == 0


def test_it_names_the_supervisor_only_if_they_chose_so(client, personas, cast, reported_issue):
    page = project_page_ensure(project=cast.project)
    site_issue_accept(actor=personas.street_a, issue=reported_issue())
    html = client.get(page.url).content.decode()
    assert "群众监督员" in html and "陈阿姨" not in html
    supervisor = cast.supervisor.supervisor
    supervisor.show_name_publicly = True
    supervisor.save()
    assert "陈阿姨" in client.get(page.url).content.decode()


def test_it_reports_the_projects_response_figures(personas, cast, reported_issue):
    fast, slow, open_issue = reported_issue(), reported_issue(), reported_issue()
    for issue in (fast, slow, open_issue):
        site_issue_accept(actor=personas.street_a, issue=issue)
    site_issue_rectify(actor=cast.builder, issue=fast, response="ok", photos=[jpeg()])
    site_issue_rectify(actor=cast.builder, issue=slow, response="ok", photos=[jpeg()])
    site_issue_confirm(actor=cast.supervisor, issue=fast)
    now = timezone.now()
    SiteIssue.objects.filter(pk=fast.pk).update(accepted_at=now - timedelta(days=1), rectified_at=now)
    SiteIssue.objects.filter(pk=slow.pk).update(accepted_at=now - timedelta(days=5), rectified_at=now)
    figures = project_response_figures(cast.project)
    assert (figures.reported, figures.rectified) == (3, 2)
    assert figures.median_days_to_rectify == 3.0


def test_its_query_count_does_not_grow_with_issues(client, personas, cast, reported_issue):
    page = project_page_ensure(project=cast.project)
    site_issue_accept(actor=personas.street_a, issue=reported_issue())
    client.get(page.url)
    with CaptureQueriesContext(connection) as few:
        client.get(page.url)
    for _ in range(6):
        issue = reported_issue(photos=[jpeg(), jpeg()])
        site_issue_accept(actor=personas.street_a, issue=issue)
        site_issue_rectify(actor=cast.builder, issue=issue, response="ok", photos=[jpeg()])
    with CaptureQueriesContext(connection) as many:
        client.get(page.url)
    assert len(few) == len(many)
