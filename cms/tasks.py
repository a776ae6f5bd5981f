"""The project pages' summaries, as a periodic background job (JOBS_SCHEDULE)."""

from django_tasks import task

from .summary import project_summaries_refresh as refresh


@task()
def project_summaries_refresh() -> int:
    """Rebuild the summaries that midnight or a tender's clock made stale; returns how many."""
    return refresh()
