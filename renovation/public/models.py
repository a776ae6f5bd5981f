"""What every stored rendering of a public page has in common (no table of its own)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredRendering(models.Model):
    """A public page's part kept as it renders, so the page inserts it instead of computing it:
    the project page's summary, the home page's sections, the index's totals, a project's open-data
    texts (and any later one).

    Never a source of a figure. A change the part shows bumps ``generation`` right after its
    commit (``renovation.jobs.queue.RebuildAfterCommit`` from the one list ``CHANGE_PAGES``), a job
    renders it again from the selectors, and it is current only while ``built_generation`` equals
    ``generation`` and ``valid_until`` has not passed; otherwise the page computes it live, so a GET
    never writes. Derived data, so it keeps no history."""

    # Bumped by every change that alters it, right after the change commits; the content is
    # current only while ``built_generation`` equals it.
    generation = models.PositiveIntegerField(_("generation"), default=1)
    built_generation = models.PositiveIntegerField(_("built generation"), default=0)
    built_at = models.DateTimeField(_("built"), null=True, blank=True)
    # The first moment the selectors could answer otherwise with no write (midnight, a tender's
    # clock): the clock renders it again then.
    valid_until = models.DateTimeField(_("valid until"))

    class Meta:
        abstract = True
