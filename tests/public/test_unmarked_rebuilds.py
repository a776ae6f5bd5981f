"""A change whose mark failed (the database gone for a moment after its commit) leaves its rows
looking current: each kept rendering then queues its rebuild job with ``force=True``, for the
projects the change named, or for every project when it named none (places, a plan import)."""

import pytest
from django_tasks_db.models import DBTaskResult

from cms import summary
from renovation.opendata import stored
from renovation.projects.models import Project
from tests.factories import ProjectFactory
from tests.jobs.conftest import DATABASE_BACKEND

pytestmark = pytest.mark.django_db

KEPT = [
    pytest.param(summary.rebuilds, "cms.tasks.project_summaries_rebuild", id="project summaries"),
    pytest.param(stored.rebuilds, "renovation.opendata.tasks.project_open_data_rebuild", id="open data"),
]


def _fails(_ids) -> None:
    raise RuntimeError("database gone for a moment")


@pytest.mark.parametrize(("rebuilds", "task_path"), KEPT)
@pytest.mark.parametrize("names_projects", [True, False], ids=["named", "every"])
def test_a_change_whose_mark_failed_queues_a_forced_rebuild(
    rebuilds, task_path, names_projects, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_BACKEND  # the job waits in its table, as for the worker
    first, second = ProjectFactory(), ProjectFactory()
    rebuilds.forget()
    monkeypatch.setattr(rebuilds, "mark", _fails)

    with django_capture_on_commit_callbacks(execute=True):
        rebuilds.add([second.pk] if names_projects else None)

    job = DBTaskResult.objects.get(task_path=task_path)
    every = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    assert every == sorted([first.pk, second.pk])
    assert job.args_kwargs["kwargs"] == {"project_ids": [second.pk] if names_projects else every, "force": True}
