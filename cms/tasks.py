"""The project pages' summaries, as background jobs: rebuilt after each change that alters them,
and by the clock (JOBS_SCHEDULE) for what time alone changes."""

from django_tasks import task

from .summary import project_summaries_rebuild as rebuild
from .summary import project_summaries_refresh as refresh


@task()
def project_summaries_rebuild(project_ids: list[int]) -> int:
    """Rebuild the summaries a committed change marked stale (cms.summary); returns how many."""
    return rebuild(project_ids)


@task()
def project_summaries_refresh() -> int:
    """Rebuild the summaries that midnight, a tender's clock, a deploy or a lost job left stale;
    returns how many."""
    return refresh()
