"""Watchlists imported from files, their candidate index, and the hits screening found.

``WatchlistEntry`` rows of a source are replaced wholesale by each import
(``watchlists.services.watchlist_import``), together with the candidate index derived
from them (``watchlists.blocking``); neither is edited by hand. A ``ScreeningHit`` keeps
a copy of what matched (source, external id, names), so that the record of a disposition
survives a later import that drops or renumbers the entry.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from watchlists.enums import Disposition, EntityType, ImportState, SourceFormat, Subject


class WatchlistSource(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    # PostgreSQL: the table holding this source's candidate index, built by its last import.
    index_table = models.CharField(max_length=63, blank=True, editable=False)
    format = models.CharField(_("format"), max_length=20, choices=SourceFormat.choices, default=SourceFormat.CSV)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    imported_at = models.DateTimeField(_("last import"), null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("imported by"),
    )

    # A scheduled refresh: a file path on the server or an http(s) URL, read every
    # ``refresh_hours`` (``watchlists.services.source_refresh``, from the beat).
    refresh_location = models.CharField(_("refresh from (path or URL)"), max_length=1000, blank=True)
    refresh_format = models.CharField(_("refresh format"), max_length=20, choices=SourceFormat.choices, blank=True)
    refresh_hours = models.PositiveIntegerField(_("refresh every (hours)"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("last refresh attempt"), null=True, blank=True)
    refresh_error = models.TextField(_("last refresh error"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("watchlist source")
        verbose_name_plural = _("watchlist sources")

    def __str__(self) -> str:
        return self.name


def _import_upload_to(job: ImportJob, filename: str) -> str:
    # A random name: the original one is kept on the row, never used as a path.
    return f"watchlist-imports/{uuid.uuid4().hex}.csv"


class ImportJob(models.Model):
    """A list file uploaded on the import page, imported by a Celery task.

    The file waits in MEDIA_ROOT (never served) until the task has run; the row says how
    far it got and how it ended. An error is stored as its untranslated message, values and
    line (``watchlists.importing.render_error``), and shown in the reader's language.
    """

    source_name = models.CharField(_("list name"), max_length=100)
    file_format = models.CharField(_("format"), max_length=20, choices=SourceFormat.choices)
    file = models.FileField(_("file"), upload_to=_import_upload_to, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    status = models.CharField(_("status"), max_length=10, choices=ImportState.choices, default=ImportState.QUEUED)
    entries = models.PositiveIntegerField(_("entries imported"), default=0)
    bytes_read = models.PositiveBigIntegerField(default=0)
    error_code = models.TextField(blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    error_line = models.PositiveIntegerField(null=True, blank=True)
    source = models.ForeignKey(
        WatchlistSource, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("list"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("watchlist import")
        verbose_name_plural = _("watchlist imports")

    def __str__(self) -> str:
        return f"{self.source_name} ({self.original_name})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportState.DONE, ImportState.FAILED)

    @property
    def progress_path(self) -> Path:
        """Where the running import writes how far it is (``watchlists.services.import_job_run``)."""
        return Path(settings.MEDIA_ROOT) / "watchlist-imports" / f"job-{self.pk}.progress.json"

    @property
    def error_display(self) -> str:
        from watchlists.importing import render_error

        return render_error(self.error_code, self.error_params, self.error_line) if self.error_code else ""


class WatchlistEntry(models.Model):
    """One listed company or person.

    ``keys`` and ``identifier_keys`` are derived by the import (``watchlists.normalise``):
    the normalised key of each name and alias, one per line, used to rank candidates; the
    folded identifiers as ``|A|B|``. On PostgreSQL the candidate index itself is a table
    per import (``WatchlistSource.index_table``, see ``watchlists.blocking``).
    """

    # No index and no database constraint: checking it for each of a million rows slows the
    # import markedly; only the import service writes entries, with the source row locked, and
    # replaces them by source with one DELETE.
    source = models.ForeignKey(WatchlistSource, on_delete=models.CASCADE, related_name="entries",
                               verbose_name=_("source"), db_index=False, db_constraint=False)
    external_id = models.CharField(_("id in the list"), max_length=200)
    name = models.TextField(_("name"))
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    # ISO codes as given by the list, ";"-separated (OpenSanctions lists several).
    country = models.CharField(_("country"), max_length=200, blank=True)
    program = models.TextField(_("programme"), blank=True)
    entity_type = models.CharField(_("type"), max_length=10, choices=EntityType.choices)
    identifiers = models.JSONField(_("identifiers"), default=list, blank=True)
    # Aliases the list marks as weak or of low quality: found, but scored lower.
    weak_aliases = models.JSONField(_("weak aliases"), default=list, blank=True)
    birth_dates = models.JSONField(_("dates of birth"), default=list, blank=True)
    # Digest of the content (``watchlists.importing.fingerprint``): another value, another entry.
    fingerprint = models.CharField(_("fingerprint"), max_length=32, blank=True, editable=False)
    keys = models.TextField(_("normalised names"), blank=True, editable=False)
    identifier_keys = models.TextField(_("normalised identifiers"), blank=True, editable=False)

    class Meta:
        # No unique (source, external_id) index: the import checks ids itself, and keeping the
        # index up to date cost ~4 s of a million-entry import here; nothing else looks entries
        # up by id in the list except the import's relinking of hits (one hash join).
        ordering = ["source", "external_id"]
        verbose_name = _("watchlist entry")
        verbose_name_plural = _("watchlist entries")

    def __str__(self) -> str:
        return self.name

    @property
    def countries(self) -> list[str]:
        return [code for code in self.country.split(";") if code]

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases, *self.weak_aliases]


class ListChange(models.Model):
    """What one import changed in a source: entries added, removed and changed (by the id in
    the list and the fingerprint), and who was screened again because of it.

    A failed scheduled refresh is recorded here too (``error``): the previous list stays.
    """

    source = models.ForeignKey(WatchlistSource, on_delete=models.CASCADE, related_name="changes",
                               verbose_name=_("list"))
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    refresh = models.BooleanField(_("scheduled refresh"), default=False)
    first_import = models.BooleanField(default=False)
    added = models.PositiveIntegerField(_("added"), default=0)
    removed = models.PositiveIntegerField(_("removed"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    # Ids in the list, a few of each, for the page: {"added": [...], "removed": [...], "changed": [...]}.
    examples = models.JSONField(default=dict, blank=True)
    # Database ids of the added and changed entries (None: too many, everybody is screened again).
    entry_ids = models.JSONField(null=True, blank=True)
    applications_rescreened = models.PositiveIntegerField(_("applications screened again"), null=True, blank=True)
    customers_rescreened = models.PositiveIntegerField(_("customers screened again"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("list change")
        verbose_name_plural = _("list changes")

    def __str__(self) -> str:
        return f"{self.source} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def everybody(self) -> bool:
        return self.entry_ids is None and not self.error


class ScreeningHit(models.Model):
    """A watchlist entry that matched one of the names of an application or customer."""

    application = models.ForeignKey(
        "onboarding.Application", on_delete=models.CASCADE, null=True, blank=True, related_name="watchlist_hits",
        verbose_name=_("application"),
    )
    customer = models.ForeignKey(
        "onboarding.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="watchlist_hits",
        verbose_name=_("customer"),
    )
    # SET_NULL: an import that drops the entry must not erase the record of the hit.
    entry = models.ForeignKey(
        WatchlistEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="hits",
        verbose_name=_("watchlist entry"),
    )
    source = models.ForeignKey(
        WatchlistSource, on_delete=models.PROTECT, related_name="hits", verbose_name=_("source")
    )
    entry_external_id = models.CharField(_("id in the list"), max_length=200)
    entry_name = models.TextField(_("listed name"))
    subject = models.CharField(_("screened"), max_length=30, choices=Subject.choices)
    query_name = models.CharField(_("screened name"), max_length=300)
    matched_name = models.TextField(_("matched name"))
    score = models.DecimalField(pgettext_lazy("name match similarity", "score"), max_digits=4, decimal_places=1)
    disposition = models.CharField(
        _("disposition"), max_length=20, choices=Disposition.choices, default=Disposition.PENDING, db_index=True
    )
    reason = models.TextField(_("reason"), blank=True)
    dispositioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("dispositioned by"),
    )
    dispositioned_at = models.DateTimeField(_("dispositioned at"), null=True, blank=True)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)
    # Every name of the party that matched the entry, best first: [{subject, query_name,
    # matched_name, score}]; ``subject`` … ``score`` above are the best of them.
    matches = models.JSONField(_("names that matched"), default=list, blank=True)
    # The entry's fingerprint when the hit was found (``WatchlistEntry.fingerprint``): a
    # decision holds for that content of the entry.
    entry_fingerprint = models.CharField(max_length=32, blank=True)
    # A false positive decided before for the same subject (credit code, customer) on the
    # same entry, unchanged: this hit carries that decision and was not asked again.
    remembered_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decision remembered from"),
    )
    # A false positive decided before on this entry, which has changed since: asked again.
    reopened_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("asked again after"),
    )

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            # One hit per party and list entry (its content): re-screening must not add it twice.
            models.UniqueConstraint(fields=["application", "source", "entry_external_id", "entry_fingerprint"],
                                    name="watchlist_hit_one_per_app_entry"),
            models.UniqueConstraint(
                fields=["customer", "source", "entry_external_id", "entry_fingerprint"],
                condition=Q(application__isnull=True), name="watchlist_hit_one_per_customer_entry",
            ),
            models.CheckConstraint(
                condition=Q(application__isnull=False) | Q(customer__isnull=False), name="watchlist_hit_has_party"
            ),
        ]
        indexes = [models.Index(fields=["source", "entry_external_id"])]
        verbose_name = _("watchlist hit")
        verbose_name_plural = _("watchlist hits")

    def __str__(self) -> str:
        return f"{self.query_name} ~ {self.matched_name} ({self.score})"

    @property
    def is_final(self) -> bool:
        return self.disposition != Disposition.PENDING


class ScreeningRun(models.Model):
    """One screening of an application's or customer's names against every list.

    The guard out of background check needs a finished run since the application entered
    the stage: no hits must mean "screened, nothing found", never "not screened yet".
    """

    application = models.ForeignKey(
        "onboarding.Application", on_delete=models.CASCADE, null=True, blank=True, related_name="watchlist_runs",
        verbose_name=_("application"),
    )
    customer = models.ForeignKey(
        "onboarding.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="watchlist_runs",
        verbose_name=_("customer"),
    )
    finished_at = models.DateTimeField(_("screened at"), db_index=True)
    names = models.JSONField(_("names screened"), default=list)
    entries_screened = models.PositiveIntegerField(_("list entries"), default=0)
    hits_found = models.PositiveIntegerField(_("hits"), default=0)

    class Meta:
        ordering = ["-finished_at"]
        get_latest_by = "finished_at"
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M}"
