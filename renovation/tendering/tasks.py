"""The tender clock, as a periodic background job (JOBS_SCHEDULE: every minute, on the workers).

It moves tenders on at their bid-period start and opening time (bidding → opened, or failed with too
few bids), records each opened bid's content in the clear (``Bid.opened_content``, read by the pages
instead of decrypting) and freezes their OCDS opening releases, whether or not anyone looks at them.
The seal on bids does not depend on it: bids become readable at the opening time by the clock alone
(unsealed, until the job records them).
"""

from django_tasks import task

from .ocds import release_texts_refresh
from .services import tenders_catch_up


@task()
def tenders_advance() -> int:
    """Catch every tender up with the clock; returns how many moved."""
    return tenders_catch_up()


@task()
def ocds_release_texts_refresh() -> int:
    """Encode and sign again the stored OCDS release texts this site would not send (an older
    format, a new ``SECRET_KEY``, a text altered by hand); returns how many."""
    return release_texts_refresh()


@task()
def tender_summaries_rebuild(project_ids: list[int], force: bool = False) -> int:
    """Render again the opened sections of the tenders in these projects' streets (their red flags
    weigh each other's bids) that a committed change marked stale and no later job has rendered yet
    (tender_summary.py); returns how many rows were written. ``force``: the change's mark failed,
    so the rows still look current (renovation.jobs.queue.RebuildAfterCommit): rendered regardless."""
    from .tender_summary import tender_ids_in_streets_of, tender_summaries_rebuild_stale
    from .tender_summary import tender_summaries_rebuild as rebuild

    tender_ids = tender_ids_in_streets_of(project_ids)
    return rebuild(tender_ids) if force else tender_summaries_rebuild_stale(tender_ids)


@task()
def tender_summaries_refresh() -> int:
    """Build the opened tenders' kept sections that are missing, stale or past their time (the
    clock: an opening, the tender's next step, midnight, a deploy); returns how many rows."""
    from .tender_summary import tender_summaries_refresh as refresh

    return refresh()
