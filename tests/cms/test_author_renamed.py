"""A commenter's new name reaches every page that shows their comments at once: the project
page's kept thread (cms.summary) and the page cache are marked out of date by the service that
renamed the account (accounts.signals.display_name_changed → discussion)."""

from __future__ import annotations

import pytest
from django.test import Client

from cms.summary import project_summaries_rebuild
from renovation.accounts.services import resident_account_ensure, staff_account_update
from renovation.discussion.selectors import project_thread
from renovation.discussion.services import comment_post, thread_for_project
from renovation.projects.models import ProjectPublicSummary
from renovation.residents.services import resident_account_close
from tests.cms.test_project_summary import _rebuild_jobs_run
from tests.jobs.conftest import DATABASE_BACKEND

pytestmark = pytest.mark.django_db


def _anonymous_page(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200
    return response.content.decode()


def _kept_page_after_the_change(page, callbacks) -> str:
    """Run what the change's commit runs (the rebuild job, the cache's invalidation), then read the
    page as an anonymous visitor from its kept summary."""
    for callback in callbacks:
        callback()
    row = ProjectPublicSummary.objects.get(project_id=page.project_id)
    assert row.built_generation == row.generation, "the kept page was not rebuilt"
    return _anonymous_page(page.url)


def _commented(published_project, author) -> tuple:
    project, page = published_project(items=1)
    comment_post(actor=author, thread=thread_for_project(project), text="楼道灯什么时候换？")
    project_summaries_rebuild([project.pk])
    return project, page


def test_a_residents_new_name_replaces_the_old_on_the_kept_page(
    settings, personas, published_project, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    resident = resident_account_ensure(username="resident", full_name="陈阿姨")
    project, page = _commented(published_project, resident)
    assert "陈阿姨" in _anonymous_page(page.url)
    with django_capture_on_commit_callbacks(execute=True):
        resident_account_ensure(username="resident", full_name="陈奶奶")
        row = ProjectPublicSummary.objects.get(project=project)
        assert row.built_generation == row.generation  # not inside the rename's transaction: no lock
    row = ProjectPublicSummary.objects.get(project=project)
    assert row.built_generation < row.generation  # stale from its commit: the page is live
    html = _anonymous_page(page.url)
    assert "陈奶奶" in html and "陈阿姨" not in html
    _rebuild_jobs_run()
    html = _kept_page_after_the_change(page, [])
    assert "陈奶奶" in html and "陈阿姨" not in html


def test_a_closed_accounts_name_leaves_the_kept_page(personas, published_project, django_capture_on_commit_callbacks):
    resident = resident_account_ensure(username="resident", full_name="陈阿姨")
    _project, page = _commented(published_project, resident)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        resident_account_close(actor=resident, user=resident)
    html = _kept_page_after_the_change(page, callbacks)
    assert "陈阿姨" not in html and f"closed-{resident.pk}" in html
    assert "楼道灯什么时候换？" in html  # the comment stays; only the name went


def test_a_staff_members_rename_by_the_bureau_reaches_the_kept_page(
    personas, published_project, django_capture_on_commit_callbacks
):
    _project, page = _commented(published_project, personas.street_a)
    assert "安阳" in _anonymous_page(page.url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        staff_account_update(actor=personas.bureau, user=personas.street_a, data={"first_name": "安阳街道办"})
    assert "安阳街道办" in _kept_page_after_the_change(page, callbacks)


def test_a_rename_without_a_new_name_or_without_comments_changes_no_page(
    personas, published_project, monkeypatch, django_capture_on_commit_callbacks
):
    import renovation.discussion.services as discussion

    reported = []
    monkeypatch.setattr(discussion, "pages_changed", lambda change, **kwargs: reported.append(kwargs))
    project, _page = _commented(published_project, personas.street_a)
    reported.clear()
    staff_account_update(actor=personas.bureau, user=personas.street_a, data={"email": "anyang@example.cn"})
    staff_account_update(actor=personas.bureau, user=personas.street_b, data={"first_name": "玉海街道办"})
    assert reported == []  # the same name; a new name but no comment anywhere
    staff_account_update(actor=personas.bureau, user=personas.street_a, data={"first_name": "安阳街道办"})
    assert reported == [{"project_ids": {project.pk}}]
    assert project_thread(project) is not None
