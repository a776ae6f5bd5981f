"""The open-data texts kept per project, so the bulk endpoints stream them (see ``stored.py``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from renovation.projects.models import Project
from renovation.public.models import StoredRendering


class ProjectOpenData(StoredRendering):
    """A project as the open-data endpoints send it, JSON text encoded once by the task queue:
    its OC4IDS project (``/projects/oc4ids.json``, the site's address left as a mark the view fills
    in), its representation in the API (``/api/v1/projects/``), its feed's entries per language
    (``/projects/<slug>/feed/``) and its line of ``/open-data/projects.csv`` per language.

    Never a source of a figure: a change that alters them bumps ``generation`` right after its
    commit, a job rebuilds them from the selectors after the commit (opendata.stored), and the
    endpoints encode live while the row is missing, stale (``built_generation`` behind
    ``generation``), of another ``build``, past ``valid_until`` or not signed with the site's key
    (``signatures``). Derived data, so it keeps no history (like ProjectPublicSummary and
    TenderRelease.text)."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, primary_key=True, related_name="open_data_text", verbose_name=_("project")
    )
    # The code and settings that encoded it (a deploy that changes them makes it stale).
    build = models.CharField(_("build"), max_length=64, blank=True)
    # Empty when it cannot be kept (see stored.oc4ids_text): the endpoint then encodes it live.
    oc4ids = models.TextField(_("OC4IDS project (JSON)"), blank=True)
    api = models.TextField(_("API representation (JSON)"), blank=True)
    # The entries of the project's Atom feed, per language (stored.feed_text).
    feed = models.TextField(_("feed entries (JSON)"), blank=True)
    # Its line of /open-data/projects.csv per language code (stored.projects_csv_page).
    csv = models.JSONField(_("CSV line per language"), default=dict, blank=True)
    # Each text's HMAC with the site's key (renovation.public.signed), by text: "oc4ids", "api",
    # "feed" and "csv:<language>". A text whose signature does not match is never sent.
    signatures = models.JSONField(_("signatures"), default=dict, blank=True)
    # The API's lateness counts days: the texts hold until the next midnight.
    valid_until = models.DateTimeField(_("valid until"), db_index=True)

    class Meta:
        verbose_name = _("project open data")
        verbose_name_plural = _("project open data")

    def __str__(self) -> str:
        return f"{self.project_id} @ {self.built_at:%Y-%m-%d %H:%M}" if self.built_at else f"{self.project_id}"
