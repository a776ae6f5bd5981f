"""The queue's own periodic job."""

from django_tasks import task

from .services import jobs_prune as prune


@task()
def jobs_prune() -> dict[str, int]:
    """Forget old successful jobs, clock periods and silent workers."""
    return prune()
