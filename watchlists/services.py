"""Writes for watchlists: importing a list, screening parties, dispositioning hits."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from accounts import gates
from accounts.models import User
from accounts.roles import Role
from onboarding import permissions as onboarding_permissions
from onboarding.enums import CustomerStatus, State
from onboarding.models import Application, Customer
from watchlists import formats, permissions
from watchlists.blocking import BLOCK_TABLE, identifier_block, name_blocks, query_blocks
from watchlists.enums import Disposition, EntityType, ImportState, SourceFormat, Subject
from watchlists.importing import (
    Block,
    CopyPayload,
    ImportFailed,
    Layout,
    Progress,
    Row,
    copy_payload,
    fingerprint,
    parse_block,
    prepare,
    read_blocks,
    read_header,
    rows_payload,
    worker_setup,
)
from watchlists.matching import Match, search
from watchlists.models import ImportJob, ListChange, ScreeningHit, ScreeningRun, WatchlistEntry, WatchlistSource
from watchlists.normalise import normalise, normalise_identifier
from watchlists.signals import hit_dispositioned, watchlist_changed, watchlist_imported

logger = logging.getLogger(__name__)

# The customers monitoring watches (as monitoring.enums.MONITORED_STATUSES, which this app may not import).
MONITORED_STATUSES = (CustomerStatus.ACTIVE, CustomerStatus.UNDER_REVIEW, CustomerStatus.SUSPENDED)

# --- Import -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    source: WatchlistSource
    entries: int
    names: int
    identifiers: int
    seconds: float
    change: ListChange | None = None


def watchlist_import(
    *,
    file: BinaryIO | str | Path | list,
    source_name: str,
    file_format: str | None = SourceFormat.CSV,
    file_name: str = "",
    actor: User | None = None,
    progress: Progress | None = None,
    workers: int = 0,
    refresh: bool = False,
) -> ImportResult:
    """Replace all entries of the source ``source_name`` by the file's, in one transaction.

    ``file`` is a path, several paths (OFAC's SDN.CSV, ALT.CSV, ADD.CSV), a folder, a zip or
    an open binary file; ``file_format`` None or "auto" tells the format from the file's
    contents (``watchlists.formats.detect_format``; none known raises ImportFailed). The
    file is checked as it streams into the database; the first bad row raises
    ``ImportFailed`` (with its line), the transaction rolls back and the previous list
    stays in force. On PostgreSQL rows go in with ``COPY``, and ``workers`` > 0 processes
    normalise the names while this one reads the file and writes (for big files, from the
    command line); elsewhere with bulk inserts.

    Side effects: creates the source if new; on PostgreSQL builds the source's new block
    table (the candidate index), drops the one before last, and vacuums the new one after
    commit; hits on the replaced entries keep their copy of what matched and are linked
    again to the entry with the same id in the new list; after commit, applications in
    background check are screened again (``watchlists.screen_open_applications``) and
    ``watchlists.signals.watchlist_imported`` is sent (monitoring re-screens customers).
    """
    with formats.open_inputs(file) as (members, _total):
        if not file_format or file_format == formats.AUTO:
            file_format = formats.detect_format(members)
            if file_format is None:
                raise ImportFailed(formats.UNKNOWN_FORMAT)
        source_name = _checked_source_name(source_name, file_format)
        if isinstance(file, str | Path):
            file_name = file_name or os.path.basename(str(file).rstrip("/"))
        elif isinstance(file, list | tuple):
            file_name = file_name or ", ".join(os.path.basename(str(path)) for path in file)
        started = time.perf_counter()
        with transaction.atomic():
            source, _created = WatchlistSource.objects.get_or_create(name=source_name)
            # Two imports of one source wait for each other instead of interleaving.
            source = WatchlistSource.objects.select_for_update().get(pk=source.pk)
            old_last = _last_entry_id(source)
            layout = blocks = batches = counter = None
            if file_format in formats.OFFICIAL_FORMATS:
                counter = formats.Counter()
                batches = formats.read_rows(file_format, members, counter)
            else:
                if len(members) != 1:
                    raise ImportFailed(gettext_noop("Give one list file (found %(count)d)."), None,
                                       {"count": len(members)})
                binary = next(iter(members.values()))
                layout = read_header(binary, file_format)
                blocks = read_blocks(binary, first_line=2)
            if connection.vendor == "postgresql":
                counts = _load_postgresql(source, layout, blocks, progress, workers, batches, counter)
            else:
                counts = _load_bulk(source, layout, blocks, progress, batches, counter)
            change = _difference(source, old_last, refresh=refresh)
            _delete_entries(source, up_to=old_last)
            _relink_hits(source)
            source.entry_count = counts[0]
            source.format = file_format
            source.file_name = (file_name or "")[:255]
            source.imported_at = timezone.now()
            source.imported_by = actor
            source.save()
            if change.everybody:
                transaction.on_commit(_queue_open_applications)
                # Monitoring re-screens every admitted customer against the new list.
                transaction.on_commit(lambda: watchlist_imported.send(sender=WatchlistSource, source=source))
            elif change.entry_ids:
                transaction.on_commit(lambda: _queue_change(change.pk))
            else:
                change.applications_rescreened = change.customers_rescreened = 0
                change.save(update_fields=["applications_rescreened", "customers_rescreened"])
    return ImportResult(
        source=source, entries=counts[0], names=counts[1], identifiers=counts[2],
        seconds=time.perf_counter() - started, change=change,
    )


def _queue_open_applications() -> None:
    from watchlists.tasks import screen_open_applications

    if not Application.objects.filter(state=State.BACKGROUND_CHECK).exists():
        return
    try:
        screen_open_applications.delay()
    except Exception:
        # The list is imported and committed; failing the import now would mislead. The
        # guard still requires a finished screening, which the entry into background check queued.
        logger.exception("Could not queue the re-screening of applications in background check.")


def _last_entry_id(source: WatchlistSource) -> int | None:
    """The highest id among the source's entries before this import: the new ones come after."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM watchlists_watchlistentry WHERE source_id = %s", [source.pk])
        return cursor.fetchone()[0]


def _delete_entries(source: WatchlistSource, *, up_to: int | None) -> None:
    """Delete the entries of the previous import (ids up to ``up_to``)."""
    if up_to is None:
        return
    # Hits keep their copy of the entry; the FK is cleared here and restored by _relink_hits.
    ScreeningHit.objects.filter(source=source, entry__isnull=False).update(entry=None)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM watchlists_watchlistentry WHERE source_id = %s AND id <= %s",
                       [source.pk, up_to])


# Beyond this many added or changed entries, every party is screened again (finding the
# few a difference can touch would cost more than it saves).
TARGETED_LIMIT = 20_000
EXAMPLES = 20


def _difference(source: WatchlistSource, old_last: int | None, *, refresh: bool) -> ListChange:
    """Compare the new entries (ids above ``old_last``) with the previous ones by the id in
    the list and the fingerprint (hash joins: there is no index by id in the list)."""
    if old_last is None:
        count = WatchlistEntry.objects.filter(source=source).count()
        return ListChange.objects.create(source=source, refresh=refresh, first_import=True, added=count,
                                         entry_ids=None)
    params = [source.pk, old_last, source.pk, old_last]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The new rows are not in the statistics yet: without them the planner picks nested
            # loops over both imports (seconds for 7,000 entries) instead of hash joins.
            cursor.execute("ANALYZE watchlists_watchlistentry")
        cursor.execute(
            "SELECT n.id, n.external_id, o.id IS NULL FROM watchlists_watchlistentry n "
            "LEFT JOIN watchlists_watchlistentry o ON o.source_id = %s AND o.id <= %s "
            "AND o.external_id = n.external_id "
            "WHERE n.source_id = %s AND n.id > %s AND (o.id IS NULL OR o.fingerprint <> n.fingerprint) "
            "ORDER BY n.id LIMIT %s",
            [*params, TARGETED_LIMIT + 1],
        )
        touched = cursor.fetchall()
        cursor.execute(
            "SELECT o.external_id FROM watchlists_watchlistentry o WHERE o.source_id = %s AND o.id <= %s "
            "AND NOT EXISTS (SELECT 1 FROM watchlists_watchlistentry n WHERE n.source_id = %s AND n.id > %s "
            "AND n.external_id = o.external_id) ORDER BY o.id",
            params,
        )
        removed = [row[0] for row in cursor.fetchall()]
    added = [external_id for _id, external_id, new in touched if new]
    changed = [external_id for _id, external_id, new in touched if not new]
    entry_ids: list[int] | None = [entry_id for entry_id, _external_id, _new in touched]
    if len(touched) > TARGETED_LIMIT:
        entry_ids = None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*), COUNT(o.id) FROM watchlists_watchlistentry n "
                "LEFT JOIN watchlists_watchlistentry o ON o.source_id = %s AND o.id <= %s "
                "AND o.external_id = n.external_id "
                "WHERE n.source_id = %s AND n.id > %s AND (o.id IS NULL OR o.fingerprint <> n.fingerprint)",
                params,
            )
            total, old = cursor.fetchone()
        added_count, changed_count = total - old, old
    else:
        added_count, changed_count = len(added), len(changed)
    return ListChange.objects.create(
        source=source, refresh=refresh, added=added_count, removed=len(removed), changed=changed_count,
        examples={"added": added[:EXAMPLES], "removed": removed[:EXAMPLES], "changed": changed[:EXAMPLES]},
        entry_ids=entry_ids,
    )


def _queue_change(change_id: int) -> None:
    from watchlists.tasks import rescreen_change

    try:
        rescreen_change.delay(change_id=change_id)
    except Exception:
        # The list is committed; `manage.py watchlist_rescreen` screens everybody again.
        logger.exception("Could not queue the re-screening after list change %s.", change_id)


def subjects_touched(entry_ids: list[int]) -> tuple[list[int], list[int]]:
    """The applications in background check and the monitored customers that the entries
    can match: those with a name or credit code sharing a candidate block with one of them
    (the same test as a search's candidates, ``watchlists.blocking``)."""
    blocks: set[int] = set()
    rows = WatchlistEntry.objects.filter(pk__in=entry_ids).values_list(
        "name", "aliases", "weak_aliases", "identifier_keys"
    )
    for name, aliases, weak_aliases, identifier_keys in rows.iterator(chunk_size=2000):
        for text in (name, *aliases, *weak_aliases):
            forms = normalise(text)
            if forms:
                # As persons: pairs of parts too (a subject touched in doubt is screened again).
                blocks.update(name_blocks(forms, person=True))
        blocks.update(identifier_block(value) for value in identifier_keys.strip("|").split("|") if value)
    if not blocks:
        return [], []

    def touches(names: list[str], credit_code: str) -> bool:
        for text in names:
            forms = normalise(text)
            if forms and not blocks.isdisjoint(query_blocks(forms)):
                return True
        code = normalise_identifier(credit_code or "")
        return bool(code) and identifier_block(code) in blocks

    applications = [
        application.pk for application in Application.objects.filter(state=State.BACKGROUND_CHECK).order_by("pk")
        if touches([name for _s, name, _k in _names_of_application(application)], application.credit_code)
    ]
    # The latest application of each monitored customer, in one query (screen_customers' names).
    latest: dict[int, Application] = {}
    for application in (
        Application.objects.filter(customer__status__in=MONITORED_STATUSES)
        .only("customer_id", "legal_name_zh", "legal_name_en", "legal_representative").order_by("created_at", "pk")
    ):
        latest[application.customer_id] = application
    customers = []
    for customer_id, name, credit_code in (
        Customer.objects.filter(status__in=MONITORED_STATUSES).order_by("pk").values_list("pk", "name", "credit_code")
    ):
        names = [name]
        if customer_id in latest:
            names += [text for _s, text, _k in _names_of_application(latest[customer_id])]
        if touches(names, credit_code):
            customers.append(customer_id)
    return applications, customers


def rescreen_change(*, change_id: int) -> ListChange:
    """Screen again only the parties a list change can touch (the Celery task after an import).

    Side effects: hits and runs as ``screen_application`` / ``screen_customers``; the counts
    on the change; ``watchlists.signals.watchlist_changed`` with the customers screened.
    """
    change = ListChange.objects.get(pk=change_id)
    if change.entry_ids is None:
        screen_open_applications()
        watchlist_imported.send(sender=WatchlistSource, source=change.source)
        return change
    applications, customers = subjects_touched(change.entry_ids)
    for application_id in applications:
        screen_application(application_id=application_id)
    new_hits = screen_customers(customers) if customers else {}
    ListChange.objects.filter(pk=change.pk).update(applications_rescreened=len(applications),
                                                   customers_rescreened=len(customers))
    change.refresh_from_db()
    watchlist_changed.send(sender=ListChange, change=change, customer_ids=customers, new_hits=new_hits)
    return change


def _relink_hits(source: WatchlistSource) -> None:
    """Point hits whose entry was replaced at the new entry with the same id in the list."""
    if not ScreeningHit.objects.filter(source=source, entry__isnull=True).exists():
        return
    # One hash join over the source's entries (there is no index by external id).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE watchlists_screeninghit AS hit SET entry_id = entry.id "
            "FROM watchlists_watchlistentry AS entry "
            "WHERE hit.source_id = %s AND hit.entry_id IS NULL AND entry.source_id = hit.source_id "
            "AND entry.external_id = hit.entry_external_id",
            [source.pk],
        )


def _reserve_entry_ids(count: int) -> int:
    """The first of ``count`` consecutive ids for new entries, taken from the sequence in one step.

    Safe because imports hold the advisory lock of ``_load_postgresql`` and nothing else
    inserts entries.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('watchlists_watchlistentry', 'id'), "
            "nextval(pg_get_serial_sequence('watchlists_watchlistentry', 'id')) + %s - 1)",
            [count],
        )
        last = cursor.fetchone()[0]
    return last - count + 1


_COPY_ENTRIES = (
    "COPY watchlists_watchlistentry (id, source_id, external_id, name, aliases, country, program, entity_type, "
    "identifiers, keys, identifier_keys, weak_aliases, birth_dates, fingerprint) FROM STDIN"
)
# Serialises imports (of any source) so that id reservations cannot interleave.
_IMPORT_LOCK = 0x5741_5443  # "WATC"


class _Progress:
    """Counts what has been written; checks ids across blocks (each block checks its own)."""

    def __init__(self, callback: Progress | None) -> None:
        self.callback = callback
        self.entries = self.names = self.identifiers = self.bytes_read = 0
        self.seen_ids: set[str] = set()

    def check_ids(self, ids: list[str], lines: list[int]) -> None:
        seen = self.seen_ids
        for external_id, line in zip(ids, lines, strict=True):
            if external_id in seen:
                raise ImportFailed(gettext_noop("the id “%(id)s” appears twice."), line, {"id": external_id[:80]})
            seen.add(external_id)

    def add(self, entries: int, names: int, identifiers: int, size: int) -> None:
        self.entries += entries
        self.names += names
        self.identifiers += identifiers
        self.bytes_read += size
        if self.callback is not None:
            self.callback(self.entries, self.bytes_read)

    @property
    def counts(self) -> list[int]:
        return [self.entries, self.names, self.identifiers]


def _load_postgresql(
    source: WatchlistSource, layout: Layout | None, blocks: Iterator[Block] | None, progress: Progress | None,
    workers: int, batches: Iterator[list[Row]] | None = None, counter: formats.Counter | None = None,
) -> list[int]:
    """COPY the entries in, and their blocks into a new table of this source's, indexed once
    at the end (a bulk B-tree build) and swapped in when the transaction commits.

    The previous import's table is dropped at the next import, not now: a search that read
    the old table's name just before this commit can still use it.
    """
    table = f"watchlists_blocks_{source.pk}_{uuid.uuid4().hex[:12]}"
    tally = _Progress(progress)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK])
        cursor.execute(f"CREATE TABLE {table} (block integer NOT NULL, entry_id bigint NOT NULL, key text NOT NULL)")

        def write(payload: CopyPayload, size: int) -> None:
            tally.check_ids(payload.ids, payload.lines)
            if payload.entries:
                with cursor.copy(_COPY_ENTRIES) as copy:
                    copy.write(payload.entries)
            if payload.blocks:
                # FREEZE: the table was created in this transaction, so its rows can be written
                # frozen and all-visible — the VACUUM after the commit then has nothing to do.
                with cursor.copy(f"COPY {table} (block, entry_id, key) FROM STDIN (FREEZE)") as copy:
                    copy.write(payload.blocks)
            tally.add(payload.entry_count, payload.key_count, payload.identifier_count, size)

        if batches is not None:
            for rows in batches:
                first_id = _reserve_entry_ids(len(rows))
                write(rows_payload(source.pk, first_id, rows), counter.bytes - tally.bytes_read)
        elif workers > 0:
            _load_in_workers(source, layout, blocks, write, workers)
        else:
            for block in blocks:
                first_id = _reserve_entry_ids(block.lines + 1)
                write(copy_payload(source.pk, first_id, layout, block), len(block.data))
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # Covering: a query reads entry ids and keys from the index alone (once vacuumed).
        cursor.execute(f"CREATE INDEX {table}_block ON {table} (block) INCLUDE (entry_id, key)")
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE %s",
            [f"watchlists_blocks_{source.pk}_%"],
        )
        for (old,) in cursor.fetchall():
            if old not in (table, source.index_table) and BLOCK_TABLE.fullmatch(old):
                cursor.execute(f"DROP TABLE {old}")
    source.index_table = table
    transaction.on_commit(lambda: _vacuum(table))
    return tally.counts


def _vacuum(table: str) -> None:
    """Mark the new table's pages all-visible, so that lookups never visit the table itself
    (index-only scans). VACUUM cannot run in a transaction: this runs after the commit."""
    if not BLOCK_TABLE.fullmatch(table) or connection.in_atomic_block:
        return  # (in an outer transaction, as in a test: VACUUM cannot run there)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {table}")  # (ANALYZE ran in the import's transaction)
    except Exception:
        # Autovacuum will do it later; searches work meanwhile, a little slower.
        logger.exception("Could not vacuum %s after the import.", table)


def _load_in_workers(source: WatchlistSource, layout: Layout, blocks: Iterator[Block], write, workers: int) -> None:
    # "spawn": a worker must not inherit this process's database connection or threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=worker_setup, initargs=(get_language(),)
    ) as pool:
        pending: deque[tuple[Future, int]] = deque()
        try:
            for block in blocks:
                first_id = _reserve_entry_ids(block.lines + 1)
                pending.append((pool.submit(copy_payload, source.pk, first_id, layout, block), len(block.data)))
                while len(pending) > workers:
                    future, size = pending.popleft()
                    write(future.result(), size)
            while pending:
                future, size = pending.popleft()
                write(future.result(), size)
        except BaseException:
            for future, _size in pending:
                future.cancel()
            raise


def _load_bulk(
    source: WatchlistSource, layout: Layout | None, blocks: Iterator[Block] | None, progress: Progress | None,
    batches: Iterator[list[Row]] | None = None, counter: formats.Counter | None = None,
) -> list[int]:
    """Other databases (SQLite): bulk inserts; search scans the keys, so no block table."""
    tally = _Progress(progress)
    if batches is not None:
        chunks = ((rows, counter.bytes - tally.bytes_read) for rows in batches)
    else:
        chunks = ((parse_block(layout, block), len(block.data)) for block in blocks)
    for rows, size in chunks:
        tally.check_ids([row.external_id for row in rows], [row.line for row in rows])
        prepared = [prepare(row) for row in rows]
        WatchlistEntry.objects.bulk_create(
            [
                WatchlistEntry(
                    source=source, external_id=item.row.external_id, name=item.row.name, aliases=item.row.aliases,
                    country=item.row.country, program=item.row.program, entity_type=item.row.entity_type,
                    identifiers=item.row.identifiers, keys=item.keys_text, identifier_keys=item.identifiers_text,
                    weak_aliases=item.row.weak_aliases, birth_dates=item.row.birth_dates,
                    fingerprint=fingerprint(item.row),
                )
                for item in prepared
            ],
            batch_size=500,
        )
        tally.add(len(prepared), sum(len(i.keys) for i in prepared), sum(len(i.identifiers) for i in prepared),
                  size)
    return tally.counts


# --- Scheduled refresh ------------------------------------------------------------------------

REFRESH_MAX_BYTES = 500 * 1024 * 1024
REFRESH_TIMEOUT = 60


def source_refresh_configure(*, source_id: int, actor: User, location: str, file_format: str,
                             hours: int | None) -> WatchlistSource:
    """Set (or clear, with an empty location) a source's scheduled refresh. Raises
    ``PermissionDenied`` unless ``actor`` manages lists."""
    if not permissions.can_manage_lists(actor):
        raise PermissionDenied
    source = WatchlistSource.objects.get(pk=source_id)
    source.refresh_location = location
    source.refresh_format = file_format if location else ""
    source.refresh_hours = hours if location else None
    source.save(update_fields=["refresh_location", "refresh_format", "refresh_hours"])
    return source


def sources_due(now=None) -> list[int]:
    """Ids of the sources with a refresh location whose refresh interval has passed."""
    now = now or timezone.now()
    due = []
    for source in WatchlistSource.objects.exclude(refresh_location="").filter(refresh_hours__gt=0).order_by("pk"):
        if source.refreshed_at is None or source.refreshed_at + timedelta(hours=source.refresh_hours) <= now:
            due.append(source.pk)
    return due


def source_refresh(*, source_id: int) -> ListChange:
    """Import a source again from its configured path or URL (the beat, or ``refresh_watchlists``).

    A refresh that fails — the file cannot be read or fetched, or does not import — keeps the
    previous list in force and is recorded: a ``ListChange`` with the error, shown on the
    source's page, and ``WatchlistSource.refresh_error``. Side effects: those of
    ``watchlist_import`` on success.
    """
    import tempfile
    import urllib.request

    source = WatchlistSource.objects.get(pk=source_id)
    location = source.refresh_location.strip()
    WatchlistSource.objects.filter(pk=source.pk).update(refreshed_at=timezone.now())
    try:
        with tempfile.TemporaryDirectory() as folder:
            if location.startswith(("http://", "https://")):
                path = Path(folder) / (os.path.basename(location.split("?")[0]) or "list")
                request = urllib.request.Request(location, headers={"User-Agent": "Vetted"})  # noqa: S310
                # http(s) only (checked above), configured by a list manager.
                fetched = urllib.request.urlopen(request, timeout=REFRESH_TIMEOUT)  # noqa: S310
                with fetched as response, open(path, "wb") as out:
                    copied = 0
                    while chunk := response.read(1 << 20):
                        copied += len(chunk)
                        if copied > REFRESH_MAX_BYTES:
                            raise ImportFailed(gettext_noop("The file is larger than %(limit)d MB."), None,
                                               {"limit": REFRESH_MAX_BYTES // (1024 * 1024)})
                        out.write(chunk)
            elif os.path.isabs(location) and os.path.exists(location):
                path = Path(location)
            else:
                raise ImportFailed(gettext_noop("%(location)s cannot be read: give an absolute path on the server "
                                                "or an http(s) URL."), None, {"location": location[:300]})
            result = watchlist_import(
                file=path, source_name=source.name, file_format=source.refresh_format or None,
                file_name=os.path.basename(location.split("?")[0]), refresh=True,
            )
    except ImportFailed as error:
        return _refresh_failed(source, error.display)
    except OSError as error:  # (urllib's URLError and HTTPError are OSErrors)
        return _refresh_failed(source, _("The list could not be fetched: %(error)s") % {"error": str(error)[:300]})
    WatchlistSource.objects.filter(pk=source.pk).update(refresh_error="")
    return result.change


def _refresh_failed(source: WatchlistSource, message: str) -> ListChange:
    logger.warning("Refresh of watchlist %s failed: %s", source.name, message)
    text = _("%(error)s The previous list stays in force.") % {"error": message}
    WatchlistSource.objects.filter(pk=source.pk).update(refresh_error=text)
    return ListChange.objects.create(source=source, refresh=True, error=text)


def refresh_due_sources() -> list[int]:
    """The beat's tick: refresh every due source, one after the other. Returns their ids."""
    due = sources_due()
    for source_id in due:
        source_refresh(source_id=source_id)
    return due


# --- Import jobs (the import page) ----------------------------------------------------------

# A job "running" for longer than Celery's hard time limit was killed with its worker: the
# redelivered task may take it over.
def _stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 1200) + 60)


def import_job_create(*, upload: UploadedFile, source_name: str, file_format: str, actor: User) -> ImportJob:
    """Check what can be checked at once (the name, the format — told from the contents when
    ``file_format`` is "auto" —, the header line), store the upload and queue its import.

    Raises ``ImportFailed`` for a bad name, format or header; nothing is stored then.
    Side effects: the file under ``MEDIA_ROOT/watchlist-imports/`` (not served), an
    ``ImportJob`` (queued), and after commit the task ``watchlists.run_import_job``.
    """
    from config.celery import enqueue_on_commit
    from watchlists.tasks import run_import_job

    if not file_format or file_format == formats.AUTO:
        upload.seek(0)
        with formats.open_inputs(upload) as (members, _total):
            file_format = formats.detect_format(members)
        if file_format is None:
            raise ImportFailed(formats.UNKNOWN_FORMAT)
    source_name = _checked_source_name(source_name, file_format)
    if file_format not in formats.OFFICIAL_FORMATS:  # (official lists are checked as the job reads them)
        upload.seek(0)
        read_header(upload, file_format)
    upload.seek(0)
    with transaction.atomic():
        job = ImportJob(
            source_name=source_name, file_format=file_format, original_name=(upload.name or "")[:255],
            size=upload.size or 0, created_by=actor,
        )
        job.file.save(upload.name or "list.csv", upload, save=False)
        job.save()
        enqueue_on_commit(run_import_job, job_id=job.pk)
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Import the file of a queued job (the Celery task); safe to run twice.

    Claims the job with a conditional update (queued, or running past the time limit after
    a lost worker): a job that is done, failed or running elsewhere is left alone. Writes
    the progress to a file next to the upload — the import is one transaction, so rows
    written in it are invisible to the page until it ends — and the result on the job.
    Side effects: those of ``watchlist_import``; the job's state, counts and error; the
    upload and its progress file are deleted once the job has ended.
    """
    now = timezone.now()
    claimed = ImportJob.objects.filter(
        Q(status=ImportState.QUEUED) | Q(status=ImportState.RUNNING, started_at__lt=now - _stale_after()), pk=job_id,
    ).update(status=ImportState.RUNNING, started_at=now, entries=0, bytes_read=0)
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job
    progress = _ProgressFile(job)
    try:
        with job.file.open("rb") as binary:
            result = watchlist_import(
                file=binary, source_name=job.source_name, file_format=job.file_format,
                file_name=job.original_name, actor=job.created_by, progress=progress.write,
            )
    except ImportFailed as error:
        _finish(job, status=ImportState.FAILED, bytes_read=progress.bytes_read, entries=0,
                error_code=error.code, error_params=error.params, error_line=error.line)
    except Exception:
        _finish(job, status=ImportState.FAILED, bytes_read=progress.bytes_read, entries=0,
                error_code=gettext_noop("The import stopped on an unexpected error. Nothing was changed."))
        raise
    else:
        _finish(job, status=ImportState.DONE, entries=result.entries, bytes_read=job.size, source=result.source)
    finally:
        progress.remove()
    return job


def _checked_source_name(source_name: str, file_format: str) -> str:
    source_name = (source_name or "").strip()
    if not source_name:
        raise ImportFailed(gettext_noop("Please name the source."))
    if len(source_name) > 100:
        raise ImportFailed(gettext_noop("The source name is longer than 100 characters."))
    if file_format not in SourceFormat.values:
        raise ImportFailed(gettext_noop("Unknown format “%(format)s”."), None, {"format": file_format})
    return source_name


def _finish(job: ImportJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    job.finished_at = timezone.now()
    if job.file:
        job.file.delete(save=False)
    job.save()


class _ProgressFile:
    """How far the running import is, in a small JSON file beside the upload (MEDIA_ROOT is
    shared by web and workers), written at most twice a second and replaced atomically."""

    def __init__(self, job: ImportJob) -> None:
        self.path = job.progress_path
        self.bytes_read = 0
        self.written = 0.0

    def write(self, entries: int, bytes_read: int) -> None:
        self.bytes_read = bytes_read
        if time.monotonic() - self.written < 0.5:
            return
        self.written = time.monotonic()
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps({"entries": entries, "bytes_read": bytes_read}))
        os.replace(partial, self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


# --- Screening --------------------------------------------------------------------------------

SCREEN_LIMIT = 20


def _names_of_application(application: Application) -> list[tuple[str, str, str]]:
    """(subject, name, entity type to match) for each name of the application that is filled."""
    names = [
        (Subject.COMPANY_NAME_ZH, application.legal_name_zh, EntityType.COMPANY),
        (Subject.COMPANY_NAME_EN, application.legal_name_en, EntityType.COMPANY),
        (Subject.LEGAL_REPRESENTATIVE, application.legal_representative, EntityType.PERSON),
    ]
    return [(subject, name.strip(), kind) for subject, name, kind in names if name and name.strip()]


def _matches_for(names: list[tuple[str, str, str]], credit_code: str) -> list[tuple[str, str, Match]]:
    found: list[tuple[str, str, Match]] = []
    for subject, name, entity_type in names:
        for match in search(name, limit=SCREEN_LIMIT, entity_type=entity_type):
            found.append((subject, name, match))
    if credit_code:
        for match in search("", identifiers=[credit_code], limit=SCREEN_LIMIT):
            found.append((Subject.CREDIT_CODE, credit_code, match))
    return found


def _store_hits(
    *, matches: list[tuple[str, str, Match]], application: Application | None, customer: Customer | None
) -> list[ScreeningHit]:
    """Store one hit per (party, list entry) with every name that matched it; returns the
    hits created that wait for a decision.

    A pending hit takes the new names and scores. An entry already decided for this party
    is left alone while its content is unchanged; a false positive on an entry that changed
    since is asked again (a new hit, ``reopened_from``). A false positive decided for the
    same subject elsewhere (another application with the credit code, the customer) on the
    same content is remembered (``remembered_from``, nobody's new decision): not asked again.
    """
    party = {"application": application} if application is not None else {"customer": customer,
                                                                           "application": None}
    by_entry: dict[int, list[tuple[str, str, Match]]] = {}
    for item in matches:
        by_entry.setdefault(item[2].entry_id, []).append(item)
    if not by_entry:
        return []
    sources = {source.name: source for source in WatchlistSource.objects.all()}
    external_ids = {item[0][2].external_id for item in by_entry.values()}
    existing: dict[tuple[int, str], list[ScreeningHit]] = {}
    for hit in ScreeningHit.objects.filter(**party, entry_external_id__in=external_ids).order_by("pk"):
        existing.setdefault((hit.source_id, hit.entry_external_id), []).append(hit)
    earlier = _earlier_false_positives(application, customer, external_ids)
    created: list[ScreeningHit] = []
    waiting: list[ScreeningHit] = []
    for items in by_entry.values():
        items.sort(key=lambda item: -item[2].score)
        subject, query_name, best = items[0]
        source = sources[best.source]
        names = [
            {"subject": s, "query_name": q[:300], "matched_name": m.matched_name, "score": float(_score(m))}
            for s, q, m in items
        ]
        hits = existing.get((source.pk, best.external_id), [])
        pending = next((hit for hit in hits if not hit.is_final), None)
        if pending is not None:
            changed = pending.matches != names or pending.score != _score(best)
            if pending.entry_id != best.entry_id:
                pending.entry_id, changed = best.entry_id, True
            if pending.entry_fingerprint != best.fingerprint and not any(
                hit.entry_fingerprint == best.fingerprint for hit in hits
            ):
                pending.entry_fingerprint, changed = best.fingerprint, True
            if changed:
                pending.matches, pending.score = names, _score(best)
                pending.subject, pending.query_name, pending.matched_name = subject, query_name[:300], best.matched_name
                pending.save(update_fields=["matches", "score", "subject", "query_name", "matched_name", "entry",
                                            "entry_fingerprint"])
            continue
        if any(_same_content(hit, best.fingerprint) or hit.disposition == Disposition.TRUE_MATCH for hit in hits):
            continue  # decided on this content (a true match stands whatever changes)
        hit = ScreeningHit(
            **party, entry_id=best.entry_id, source=source, entry_external_id=best.external_id,
            entry_name=best.name, subject=subject, query_name=query_name[:300], matched_name=best.matched_name,
            score=_score(best), matches=names, entry_fingerprint=best.fingerprint,
        )
        decided = [hit for hit in hits if hit.disposition == Disposition.FALSE_POSITIVE]
        decided += earlier.get((source.pk, best.external_id), [])
        same = [hit for hit in decided if _same_content(hit, best.fingerprint)]
        if same:
            original = same[-1]
            hit.disposition = Disposition.FALSE_POSITIVE
            hit.remembered_from_id = original.remembered_from_id or original.pk
            hit.reason = original.reason
            hit.dispositioned_at = timezone.now()
        else:
            if decided:
                hit.reopened_from_id = decided[-1].remembered_from_id or decided[-1].pk
            waiting.append(hit)
        created.append(hit)
    # ignore_conflicts: a concurrent run of the same screening may have stored them first.
    ScreeningHit.objects.bulk_create(created, ignore_conflicts=True)
    return waiting


def _same_content(hit: ScreeningHit, fingerprint: str) -> bool:
    """Whether the hit was decided on this content of the entry. A hit stored before entries had
    fingerprints (blank, or "legacy-" from the migration) is taken as decided on the current
    content: the screening then never asked again either."""
    return hit.entry_fingerprint == fingerprint or not hit.entry_fingerprint or hit.entry_fingerprint.startswith(
        "legacy-"
    )


def _earlier_false_positives(
    application: Application | None, customer: Customer | None, external_ids: set[str]
) -> dict[tuple[int, str], list[ScreeningHit]]:
    """False positives decided for the same subject as the party, by other parties: the
    applications and customers with its credit code, and the customer's own applications."""
    subject = Q()
    credit_code = (application.credit_code if application is not None else customer.credit_code) or ""
    if credit_code.strip():
        subject |= Q(application__credit_code=credit_code) | Q(customer__credit_code=credit_code)
    customer_id = customer.pk if customer is not None else (application.customer_id if application else None)
    if customer_id is not None:
        subject |= Q(customer_id=customer_id) | Q(application__customer_id=customer_id)
    if not subject:
        return {}
    found: dict[tuple[int, str], list[ScreeningHit]] = {}
    hits = ScreeningHit.objects.filter(subject, disposition=Disposition.FALSE_POSITIVE,
                                       entry_external_id__in=external_ids)
    if application is not None:
        hits = hits.exclude(application=application)
    else:
        hits = hits.exclude(customer=customer, application__isnull=True)
    for hit in hits.order_by("dispositioned_at", "pk"):
        found.setdefault((hit.source_id, hit.entry_external_id), []).append(hit)
    return found


def _score(match: Match) -> Decimal:
    return Decimal(str(round(match.score, 1)))


def _entries_in_lists() -> int:
    return WatchlistSource.objects.aggregate(total=Sum("entry_count"))["total"] or 0


def screen_application(*, application_id: int) -> ScreeningRun:
    """Screen the application's Chinese and English names, legal representative and credit code.

    Side effects: stores a ``ScreeningHit`` for each match at or above the threshold that
    is not already stored (safe to run again: nothing is duplicated, a disposition is never
    touched) and a ``ScreeningRun`` recording that the screening finished.
    """
    application = Application.objects.get(pk=application_id)
    names = _names_of_application(application)
    matches = _matches_for(names, application.credit_code)
    with transaction.atomic():
        _store_hits(matches=matches, application=application, customer=None)
        return ScreeningRun.objects.create(
            application=application, finished_at=timezone.now(),
            names=[{"subject": s, "name": n} for s, n, _kind in names], entries_screened=_entries_in_lists(),
            hits_found=len({m.entry_id for _, _, m in matches}),
        )


def screen_customers(customer_ids: Iterable[int]) -> dict[int, int]:
    """Screen admitted customers (monitoring): their name, credit code, and the names of
    their latest application. Returns the number of new hits per customer.

    Side effects: as ``screen_application``, with hits and runs on the customer.
    """
    new_hits: dict[int, int] = {}
    for customer in Customer.objects.filter(pk__in=list(customer_ids)):
        names = [(Subject.CUSTOMER_NAME, customer.name, EntityType.COMPANY)]
        latest = customer.applications.order_by("-created_at").first()
        if latest is not None:
            names += [item for item in _names_of_application(latest) if item[1] != customer.name]
        matches = _matches_for(names, customer.credit_code)
        with transaction.atomic():
            created = _store_hits(matches=matches, application=None, customer=customer)
            ScreeningRun.objects.create(
                customer=customer, finished_at=timezone.now(),
                names=[{"subject": s, "name": n} for s, n, _kind in names], entries_screened=_entries_in_lists(),
                hits_found=len({m.entry_id for _, _, m in matches}),
            )
        new_hits[customer.pk] = len(created)
    return new_hits


def screen_open_applications() -> int:
    """Screen again every application in background check (after a list changed)."""
    ids = list(Application.objects.filter(state=State.BACKGROUND_CHECK).values_list("pk", flat=True))
    for application_id in ids:
        screen_application(application_id=application_id)
    return len(ids)


# --- Disposition ------------------------------------------------------------------------------


def hit_disposition(*, hit_id: int, actor: User, disposition: str, reason: str) -> ScreeningHit:
    """Record an investigator's verdict on a hit: false positive or true match, with a reason.

    Final once set: under a row lock, a second disposition (also a concurrent one) is
    refused with a message naming who decided first. Raises ``PermissionDenied`` when
    ``actor`` may not disposition the hit, ``ValidationError`` for a bad request.

    Side effects: after commit, sends ``watchlists.signals.hit_dispositioned`` (screening
    treats a true match as a knock-out).
    """
    reason = (reason or "").strip()
    if disposition not in (Disposition.FALSE_POSITIVE, Disposition.TRUE_MATCH):
        raise ValidationError(_("Choose false positive or true match."))
    if not reason:
        raise ValidationError(_("Please give the reason for this disposition."))
    with transaction.atomic():
        application_id = ScreeningHit.objects.filter(pk=hit_id).values_list("application_id", flat=True).first()
        if application_id is not None:
            # Same lock order as the state machine: the application, then the hit.
            Application.objects.select_for_update().filter(pk=application_id).first()
        try:
            hit = ScreeningHit.objects.select_for_update().get(pk=hit_id)
        except ScreeningHit.DoesNotExist:
            raise ValidationError(_("This hit does not exist.")) from None
        if not permissions.can_disposition(actor, hit):
            raise PermissionDenied(
                (hit.application_id is not None and onboarding_permissions.stage_refusal(hit.application, actor))
                or _("You may not disposition the watchlist hits of this application.")
            )
        refused = gates.refusals(actor, action="hit_disposition", role=Role.INVESTIGATOR)
        if refused:
            raise ValidationError(refused)
        if hit.is_final:
            raise ValidationError(
                _("This hit has already been dispositioned as “%(disposition)s” by %(user)s. Nothing was changed.")
                % {"disposition": hit.get_disposition_display(), "user": hit.dispositioned_by}
            )
        hit.disposition = disposition
        hit.reason = reason
        hit.dispositioned_by = actor
        hit.dispositioned_at = timezone.now()
        hit.save(update_fields=["disposition", "reason", "dispositioned_by", "dispositioned_at"])
        transaction.on_commit(lambda: hit_dispositioned.send(sender=ScreeningHit, hit=hit))
    return hit

