"""The project page's photos of the works: before / during / after, only from confirmed reports,
through their public copies, at a fixed number of queries; the full list on its own page."""

import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from renovation.projects.selectors import project_latest_photo, project_photo_gallery
from renovation.projects.services import progress_report_submit
from tests.factories import WorkItemFactory
from tests.projects.photos import confirmed_report_with_photos, phone_jpeg


def _gallery_html(client, page) -> str:
    html = client.get(page.url).content.decode()
    match = re.search(r'<section class="card photo-gallery" id="photos".*?</section>', html, re.S)
    assert match, "the page includes the gallery"
    return match.group(0)


def test_it_shows_confirmed_photos_by_phase_with_alt_text_and_lazy_thumbnails(
    client, personas, published_project, django_capture_on_commit_callbacks
):
    project, page = published_project(items=1)
    item = WorkItemFactory(project=project, description="楼道粉刷")
    with django_capture_on_commit_callbacks(execute=True):
        confirmed_report_with_photos(personas, item, phase="before")
        confirmed_report_with_photos(personas, item, phase="after", count=2)

    html = _gallery_html(client, page)

    assert html.index("改造前") < html.index("改造后") and "施工中" not in html
    assert html.count('loading="lazy"') == 3
    assert "改造后：楼道粉刷，" in html  # alt text: phase, work item, date
    photo = project_latest_photo(project)
    assert f'href="{photo.image_url}"' in html and photo.image_url.startswith("/media/progress-photos/")
    assert "/files/" not in html  # the public copies, served without Django


def test_it_shows_no_photo_of_a_report_awaiting_confirmation(client, personas, published_project):
    project, page = published_project(items=1)
    item = project.work_items.get()
    progress_report_submit(actor=personas.street_a, work_item=item, percent=Decimal("70"), photos=[phone_jpeg()])

    html = _gallery_html(client, page)

    assert "暂无公开的施工照片" in html and "<img" not in html
    assert project_latest_photo(project) is None


def test_it_shows_a_bounded_number_per_phase_and_links_to_the_rest(
    client, settings, personas, published_project, django_capture_on_commit_callbacks
):
    settings.PROJECT_GALLERY_PHOTOS_PER_PHASE = 2
    project, page = published_project(items=1)
    item = project.work_items.get()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed_report_with_photos(personas, item, phase="during", count=5)

    gallery = project_photo_gallery(project)
    assert [(phase.phase, len(phase.photos), phase.total, phase.more) for phase in gallery.phases] == [
        ("during", 2, 5, 3)
    ]
    html = _gallery_html(client, page)
    assert html.count("<img") == 2
    assert "5 张" in html and "还有 3 张，查看全部" in html
    assert f'href="{page.url}photos/?phase=during"' in html

    listing = client.get(f"{page.url}photos/?phase=during").content.decode()
    assert listing.count("<img") == 5


def test_its_gallery_takes_one_query_whatever_the_number_of_photos(personas, published_project):
    project, _page = published_project(items=1)
    item = project.work_items.get()
    with CaptureQueriesContext(connection) as empty:
        project_photo_gallery(project)
    for phase in ("before", "during", "after"):
        confirmed_report_with_photos(personas, item, phase=phase, count=3)
    with CaptureQueriesContext(connection) as full:
        gallery = project_photo_gallery(project)
        for phase in gallery.phases:
            for photo in phase.photos:
                assert photo.alt_text and photo.image_url and photo.thumbnail_url
    assert len(empty) == len(full) == 1
    with CaptureQueriesContext(connection) as latest:
        project_latest_photo(project)
    assert len(latest) == 1


def test_the_project_page_query_count_does_not_grow_with_photos(client, personas, published_project):
    few, few_page = published_project(items=2, code="FEW", slug="few")
    many, many_page = published_project(items=2, code="MANY", slug="many")
    confirmed_report_with_photos(personas, few.work_items.first(), phase="during")
    for phase in ("before", "during", "after"):
        for item in many.work_items.all():
            confirmed_report_with_photos(personas, item, phase=phase, count=2)
    client.get(few_page.url)
    client.get(many_page.url)

    counts = []
    for url in (few_page.url, many_page.url, f"{few_page.url}photos/", f"{many_page.url}photos/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[2] == counts[3]


def test_its_photos_page_takes_any_phase_or_page_number_without_an_error(client, personas, published_project):
    project, page = published_project(items=1)
    confirmed_report_with_photos(personas, project.work_items.get(), phase="after")
    for query in ("?phase=<script>", "?page=999", "?page=abc", "?phase=after&page=-1"):
        response = client.get(f"{page.url}photos/{query}")
        assert response.status_code == 200, query
        assert response.content.decode().count("<img") == 1, query
    assert "暂无公开的施工照片" in client.get(f"{page.url}photos/?phase=before").content.decode()
