"""The project pages' and the home page's summaries and the project index's counts, as background
jobs: rebuilt after each change that alters them, and by the clock (JOBS_SCHEDULE) for what time
alone changes.

A change marks its rows stale after its commit and then queues its job, one per transaction: a
burst of changes (the demo's seed, an import) queues a job for each. Each job first reads whether
its rows are still stale (one or two queries) and renders only those that are: the first job to
run after the last mark renders what every change of the burst committed, and the rest render
nothing. A change committed after that read marks the rows again and queues its own job, which
finds them stale. A job enqueued with ``force`` (the change's mark failed, so its rows still look
current: renovation.jobs.queue.RebuildAfterCommit) rebuilds them regardless."""

from django_tasks import task

from . import home_summary, index_counts, summary
from .summary import project_summaries_rebuild_stale as rebuild
from .summary import project_summaries_refresh as refresh


@task()
def project_summaries_rebuild(project_ids: list[int], force: bool = False) -> int:
    """Rebuild the summaries a committed change marked stale (cms.summary) that no later job has
    rebuilt yet; returns how many."""
    return summary.project_summaries_rebuild(project_ids) if force else rebuild(project_ids)


@task()
def project_summaries_refresh() -> int:
    """Rebuild the summaries that midnight, a tender's clock, a deploy or a lost job left stale;
    returns how many."""
    return refresh()


@task()
def home_summary_rebuild(force: bool = False) -> int:
    """Rebuild the home page's sections a committed change marked stale (cms.home_summary), unless
    a later job already did; returns how many languages were written."""
    return home_summary.home_summary_rebuild() if force else home_summary.home_summary_refresh()


@task()
def home_summary_refresh() -> int:
    """Rebuild the home page's sections that midnight, a deploy or a lost job left stale."""
    return home_summary.home_summary_refresh()


@task()
def index_counts_rebuild(force: bool = False) -> int:
    """Count the project index's totals a committed change marked stale (cms.index_counts), unless
    a later job already did; returns how many rows were written."""
    return index_counts.index_counts_rebuild() if force else index_counts.index_counts_refresh()


@task()
def index_counts_refresh() -> int:
    """Count them again when midnight, a deploy or a lost job left them stale."""
    return index_counts.index_counts_refresh()
