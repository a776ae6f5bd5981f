"""The project page's summary and the page cache: a page cached between a change's commit and the
job that rebuilds its summary was rendered live, so it already shows the change."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.jobs.conftest import DATABASE_BACKEND

pytestmark = pytest.mark.django_db


def _without_nonces(html: str) -> str:
    return re.sub(r'(nonce|value|content)="[A-Za-z0-9_\-+/=]{20,}"', r'\1="…"', html)


def test_a_page_cached_before_its_summary_is_rebuilt_shows_the_change(
    client, settings, page_cache, personas, cast, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from cms.services import project_page_ensure
    from cms.summary import project_summaries_rebuild
    from renovation.finance.services import ledger_entry_record

    settings.TASKS = DATABASE_BACKEND  # the rebuild waits in the queue, as for the worker
    page = project_page_ensure(project=cast.project)
    project_summaries_rebuild([cast.project.pk])
    client.get(page.url)
    assert client.get(page.url)["X-Public-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        ledger_entry_record(
            actor=personas.street_a,
            data={
                "project": cast.project,
                "kind": "payment",
                "amount": Decimal("4321.00"),
                "counterparty": "瑞安市建筑工程有限公司",
                "purpose": "楼道灯具更换进度款",
                "booked_on": timezone.localdate(),
            },
        )
    # Committed, the pages invalidated, the summary's job not yet run: rendered live and cached.
    between = client.get(page.url)
    assert between["X-Public-Cache"] == "miss" and between.context["summary_html"] is None
    assert "楼道灯具更换进度款" in between.content.decode()
    assert client.get(page.url)["X-Public-Cache"] == "hit"

    # The rebuild, or the refresh if an earlier test's rolled-back change of places is still noted.
    jobs = DBTaskResult.objects.filter(task_path__startswith="cms.tasks.project_summaries_")
    assert jobs.exists()
    for job in jobs:
        job.task.call(**job.args_kwargs["kwargs"])
    cached = client.get(page.url)
    assert cached["X-Public-Cache"] == "hit" and cached.content == between.content  # still right: nothing to bump
    page_cache.clear()
    fresh = client.get(page.url)
    assert fresh.context["summary_html"] is not None
    assert _without_nonces(fresh.content.decode()) == _without_nonces(between.content.decode())
