"""The home page's two summary rows are marked by nearly every public change. Marked inside each
change's transaction, they were a lock that queued every public change in the site behind the
others until their commits, and that two transactions could deadlock on (the one that had marked
the home rows then reported a change of a project whose rows the other held). They are marked
right after the commit (cms.home_summary.rebuilds): a transaction in progress holds back no other."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from cms.home_summary import home_summary_rebuild
from cms.models import HomePublicSummary
from renovation.public.cache import Change, pages_changed
from tests.factories import ProjectFactory
from tests.other_connection import OtherRequest, lock_timeout

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between two connections: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_a_public_change_in_progress_holds_back_no_other(personas):
    first, second = (ProjectFactory(neighbourhood=personas.street_a_place) for _ in range(2))
    home_summary_rebuild()
    generation = {row.language: row.generation for row in HomePublicSummary.objects.all()}
    marked = threading.Event()

    def other_change() -> None:  # another request, on its own connection
        assert marked.wait(10)
        with transaction.atomic():
            lock_timeout()  # it used to wait for the first commit
            pages_changed(Change.PROGRESS, project_id=second.pk)

    other = OtherRequest(other_change)
    with transaction.atomic():
        pages_changed(Change.PROGRESS, project_id=first.pk)
        marked.set()
        assert other.done.wait(20), "the other change is still waiting for this transaction"
        assert other.errors == []
        pages_changed(Change.LEDGER, project_id=second.pk)  # then a change of the project it changed
    other.join(10)
    # Each commit marked the rows once, after it.
    assert {row.language: row.generation for row in HomePublicSummary.objects.all()} == {
        language: value + 2 for language, value in generation.items()
    }
