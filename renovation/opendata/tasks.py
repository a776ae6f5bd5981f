"""Each project's open-data texts, as background jobs: encoded after each change that alters
them, and by the clock (JOBS_SCHEDULE) for what midnight, a deploy or a lost job left stale."""

from django_tasks import task

from . import stored
from .stored import project_open_data_rebuild_stale as rebuild
from .stored import project_open_data_refresh as refresh


@task()
def project_open_data_rebuild(project_ids: list[int], force: bool = False) -> int:
    """Encode the texts a committed change marked stale (opendata.stored) that no later job has
    encoded yet; returns how many. ``force``: the change's mark failed, so the rows still look
    current (renovation.jobs.queue.RebuildAfterCommit): encoded regardless."""
    return stored.project_open_data_rebuild(project_ids) if force else rebuild(project_ids)


@task()
def project_open_data_refresh() -> int:
    """Encode the texts that midnight, a deploy or a lost job left stale; returns how many."""
    return refresh()
