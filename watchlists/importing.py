"""Reading watchlist files: the two formats, row checks, and rows ready for the database.

The file is cut into blocks of whole records (``read_blocks``: a few megabytes, ending at
a line break outside quotes, with the number of their first line). Each block is parsed,
checked, normalised and formatted for PostgreSQL ``COPY`` by ``copy_payload`` — in worker
processes for a big file — while ``watchlists.services.watchlist_import`` writes the
results in order. The first bad record stops the import with its line number and the
transaction rolls back.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from watchlists.blocking import identifier_block, name_blocks, ranking_key
from watchlists.enums import EntityType, SourceFormat
from watchlists.normalise import normalise, normalise_identifier

CSV_COLUMNS = ("id", "name", "aliases", "country", "program", "entity_type")
OPENSANCTIONS_COLUMNS = (
    "id", "schema", "name", "aliases", "birth_date", "countries", "addresses", "identifiers", "sanctions",
    "phones", "emails", "dataset", "first_seen", "last_seen", "last_change",
)
OPENSANCTIONS_REQUIRED = ("id", "schema", "name", "aliases", "countries", "identifiers", "sanctions", "dataset")
OPENSANCTIONS_SCHEMAS = {
    "Company": EntityType.COMPANY,
    "Organization": EntityType.COMPANY,
    "LegalEntity": EntityType.COMPANY,
    "PublicBody": EntityType.COMPANY,
    "Person": EntityType.PERSON,
}
ENTITY_TYPES = {value: value for value in EntityType.values} | {
    "organization": EntityType.COMPANY, "organisation": EntityType.COMPANY, "individual": EntityType.PERSON,
}

# Generous limits that still keep one bad file from filling the database.
MAX_FIELD = 200_000
MAX_NAMES_PER_ENTRY = 500
csv.field_size_limit(MAX_FIELD)


class ImportFailed(Exception):
    """The file cannot be imported; ``line`` is the 1-based line of the first problem.

    ``code`` is the untranslated message (marked with ``gettext_noop``) and ``params`` its
    values: an import job stores both and shows the error in the reader's language.
    """

    def __init__(self, code: str, line: int | None = None, params: dict | None = None) -> None:
        self.code = code
        self.line = line
        self.params = params or {}
        super().__init__(self.display)

    def __reduce__(self):
        # Raised in a worker process, re-raised here: keep every argument.
        return (ImportFailed, (self.code, self.line, self.params))

    @property
    def message(self) -> str:
        return render_error(self.code, self.params)

    @property
    def display(self) -> str:
        return render_error(self.code, self.params, self.line)


def render_error(code: str, params: dict, line: int | None = None) -> str:
    """An import error in the current language (also for one stored by an import job)."""
    message = _(code) % params if params else _(code)
    if line is None:
        return message
    return _("Line %(line)d: %(message)s") % {"line": line, "message": message}


class Row(NamedTuple):
    """One entry as read from the file, with its line number. (A tuple: cheap to send to a worker.)"""

    line: int
    external_id: str
    name: str
    aliases: list[str]
    country: str
    program: str
    entity_type: str
    identifiers: list[str]
    # Official lists: aliases the publisher marks as weak (low quality: they score lower),
    # and dates of birth as given ("1971", "1971-05-02", "circa 1960").
    weak_aliases: list[str] = []  # noqa: RUF012 (a NamedTuple default, never mutated)
    birth_dates: list[str] = []  # noqa: RUF012


def fingerprint(row: Row) -> str:
    """What identifies the content of an entry: another fingerprint means the entry changed
    (``watchlists.services``: the difference of two imports, remembered decisions)."""
    text = "\x1e".join((
        row.name, "\x1f".join(row.aliases), "\x1f".join(row.weak_aliases), row.country, row.program,
        row.entity_type, "\x1f".join(row.identifiers), "\x1f".join(row.birth_dates),
    ))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class PreparedRow:
    """A row with what the import derives for the bulk (non-PostgreSQL) path."""

    row: Row
    keys: list[str]
    identifiers: list[str]

    @property
    def keys_text(self) -> str:
        return "\n".join(self.keys)

    @property
    def identifiers_text(self) -> str:
        return f"|{'|'.join(self.identifiers)}|" if self.identifiers else ""


@dataclass(frozen=True, slots=True)
class Block:
    """Whole records of the file: ``data`` starts on line ``first_line`` and holds ``lines`` line breaks."""

    first_line: int
    data: bytes
    lines: int


BLOCK_BYTES = 2_000_000
# No record is longer than this; a quote left open is reported well before (by the CSV
# parser's field limit) — this only bounds the memory a record without end can take.
MAX_RECORD_BYTES = 16_000_000


def read_blocks(binary: BinaryIO, *, first_line: int, size: int | None = None) -> Iterator[Block]:
    """Cut the rest of the file into blocks that end at a line break outside quotes.

    An even number of quote characters before a line break means it ends a record (CSV
    doubles a quote inside a quoted field). Each byte is looked at a bounded number of
    times, whatever the quoting: the parity of the data not yet cut is carried from chunk
    to chunk, and the search for a record end never goes back over data already searched.
    When the parity finds no end for more than a block (a quote left open, or a quote
    inside an unquoted field, which CSV takes literally), the CSV parser itself finds the
    records (``_record_end_by_csv``): a runaway field is then refused at the line where its
    record starts, once it passes the field limit, without reading the rest of the file.
    """
    size = size or BLOCK_BYTES
    pending = b""
    odd = False  # whether ``pending`` holds an odd number of quotes
    searched = 0  # ``pending[:searched]`` holds no record end
    line = first_line
    while True:
        chunk = binary.read(size)
        if not chunk:
            if pending:
                yield Block(first_line=line, data=pending, lines=pending.count(b"\n"))
            return
        data = pending + chunk
        odd ^= bool(chunk.count(b'"') & 1)
        end = _record_end(data, searched, odd)
        if end is None and len(data) > size:
            end = _record_end_by_csv(data, line)
        if end is None:
            pending, searched = data, len(data)
            continue
        block, pending = data[:end], data[end:]
        odd, searched = bool(pending.count(b'"') & 1), len(pending)
        count = block.count(b"\n")
        yield Block(first_line=line, data=block, lines=count)
        line += count


def _record_end(data: bytes, start: int, odd: bool) -> int | None:
    """Just after the last line break of ``data[start:]`` with an even number of quotes
    before it, or None; ``odd`` is the parity of the quotes in all of ``data``.

    Walks back from the end, one line at a time: the parity before a line break is the
    parity after it flipped by the quotes in between, so no byte is counted twice.
    """
    parity = odd
    position = len(data)
    while True:
        newline = data.rfind(b"\n", start, position)
        if newline < 0:
            return None
        parity ^= bool(data.count(b'"', newline, position) & 1)
        if not parity:
            return newline + 1
        position = newline


def _record_end_by_csv(data: bytes, first_line: int) -> int | None:
    """Just after the last record of ``data`` that the CSV parser ends before the end of
    ``data``, or None. Raises ImportFailed for a field over the limit, at its record's line.

    Decoded as Latin-1: one character per byte, so offsets are byte offsets, and the
    characters that shape CSV (quote, comma, line breaks) are the same bytes in UTF-8.
    """
    text = data.decode("latin-1")
    position = 0

    def lines() -> Iterator[str]:
        nonlocal position
        for piece in io.StringIO(text, newline=""):
            position += len(piece)
            yield piece

    last_end: int | None = None
    start = 0
    try:
        for _fields in csv.reader(lines()):
            if position >= len(data):
                break  # this record may go on in the next chunk
            last_end = start = position
    except csv.Error as error:
        raise _csv_failure(error, first_line + data.count(b"\n", 0, start)) from None
    if last_end is None and len(data) > MAX_RECORD_BYTES:
        raise ImportFailed(
            gettext_noop("the record that starts on this line is longer than %(size)s MB: is a quote not closed?"),
            first_line, {"size": f"{MAX_RECORD_BYTES / 1_000_000:g}"},
        )
    return last_end


def _csv_failure(error: csv.Error, line: int) -> ImportFailed:
    if "field limit" in str(error):
        return ImportFailed(
            gettext_noop("a field of the record that starts on this line is longer than %(limit)s characters: "
                         "is a quote not closed?"),
            line, {"limit": f"{MAX_FIELD:,}"},
        )
    return ImportFailed(gettext_noop("the CSV is malformed (%(error)s)."), line, {"error": str(error)})


def read_header(binary: BinaryIO, file_format: str) -> Layout:
    """The first line: which columns are where. Raises ImportFailed (line 1) if it will not do."""
    raw = binary.readline()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise ImportFailed(gettext_noop("The file is empty."), 1)
    try:
        header = next(csv.reader([raw.decode("utf-8")]))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        raise ImportFailed(gettext_noop("the header is not a CSV line in UTF-8."), 1) from None
    header = [column.strip().lower() for column in header]
    if file_format == SourceFormat.OPENSANCTIONS:
        required, expected = OPENSANCTIONS_REQUIRED, OPENSANCTIONS_COLUMNS
    elif file_format == SourceFormat.CSV:
        required = expected = CSV_COLUMNS
    else:
        raise ImportFailed(gettext_noop("Unknown format “%(format)s”."), None, {"format": file_format})
    missing = [column for column in required if column not in header]
    if missing:
        raise ImportFailed(
            gettext_noop("The header lacks the column(s) %(columns)s (expected %(expected)s)."), 1,
            {"columns": ", ".join(missing), "expected": ",".join(expected)},
        )
    return Layout(file_format=file_format, position={c: header.index(c) for c in header}, width=len(header))


def parse_block(layout: Layout, block: Block) -> list[Row]:
    """The checked rows of a block (parties only: vessels and the like are left out).

    Duplicate ids are checked within the block here and across blocks by the caller.
    """
    try:
        text = block.data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = block.first_line + block.data.count(b"\n", 0, error.start)
        raise ImportFailed(gettext_noop("the file is not UTF-8 text."), line) from None
    base = block.first_line - 1
    done = 0  # lines of the records read so far
    read = 0  # lines given to the CSV parser

    def lines() -> Iterator[str]:
        nonlocal read
        for piece in io.StringIO(text, newline=""):
            read += 1
            yield piece
        if read > done:
            # The block ends inside a quoted field: a quote is not closed (the parser would
            # silently end the field at the end of the data).
            raise ImportFailed(gettext_noop("a quote opened in the record that starts on this line is never closed."),
                               base + done + 1)

    reader = csv.reader(lines())
    rows: list[Row] = []
    seen: set[str] = set()
    try:
        for fields in reader:
            line = base + done + 1  # a record is named by the line it starts on
            done = reader.line_num
            if len(fields) != layout.width:
                if not any(field.strip() for field in fields):
                    continue  # blank line
                raise ImportFailed(gettext_noop("expected %(expected)d fields, found %(found)d."), line,
                                   {"expected": layout.width, "found": len(fields)})
            row = parse_record(layout, line, fields)
            if row is None:
                continue
            if row.external_id in seen:
                raise ImportFailed(gettext_noop("the id “%(id)s” appears twice."), line, {"id": row.external_id[:80]})
            seen.add(row.external_id)
            rows.append(row)
    except csv.Error as error:
        raise _csv_failure(error, base + done + 1) from None
    return rows


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _split(value: str | None) -> list[str]:
    if not value:
        return []
    if ";" not in value:
        value = value.strip()
        return [value] if value else []
    seen: list[str] = []
    for part in value.split(";"):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


def _countries(value: str | None) -> str:
    return ";".join(_split(value)).upper()


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each column is, from the header line; sent to worker processes with the records."""

    file_format: str
    position: dict[str, int]
    width: int


def parse_record(layout: Layout, line: int, fields: list[str]) -> Row | None:
    """The checked row of one record, or None for a record that is not a party (a vessel)."""
    # Control characters (a line break inside quotes, a tab) mean nothing in a name.
    joined = "".join(fields)
    if not joined.isprintable():
        fields = [f if f.isprintable() else _CONTROL.sub(" ", f) for f in fields]
    if not joined.strip():
        return None  # a line of commas
    if layout.file_format == SourceFormat.OPENSANCTIONS:
        return _opensanctions_row(fields, layout.position, line)
    return _csv_row(fields, layout.position, line)


def _required(fields: list[str], position: dict[str, int], column: str, line: int) -> str:
    value = fields[position[column]].strip()
    if not value:
        raise ImportFailed(gettext_noop("the column “%(column)s” is empty."), line, {"column": column})
    return value


def _optional(fields: list[str], position: dict[str, int], column: str) -> str:
    index = position.get(column)
    return fields[index].strip() if index is not None else ""


def _check_size(row: Row) -> Row:
    if len(row.external_id) > 200:
        raise ImportFailed(gettext_noop("the id is longer than 200 characters."), row.line)
    if len(row.aliases) >= MAX_NAMES_PER_ENTRY:
        raise ImportFailed(
            gettext_noop("more than %(count)d names for one entry."), row.line, {"count": MAX_NAMES_PER_ENTRY}
        )
    return row


def _csv_row(fields: list[str], position: dict[str, int], line: int) -> Row:
    raw_type = fields[position["entity_type"]].strip().lower()
    entity_type = ENTITY_TYPES.get(raw_type)
    if entity_type is None:
        if not raw_type:
            _required(fields, position, "entity_type", line)
        raise ImportFailed(
            gettext_noop("entity_type must be “company” or “person”, not “%(value)s”."), line, {"value": raw_type[:40]}
        )
    external_id = fields[position["id"]].strip()
    name = fields[position["name"]].strip()
    if not external_id or not name:
        _required(fields, position, "id", line)
        _required(fields, position, "name", line)
    identifiers = position.get("identifiers")
    return _check_size(Row(
        line, external_id, name, _split(fields[position["aliases"]]), _countries(fields[position["country"]]),
        fields[position["program"]].strip(), entity_type,
        _split(fields[identifiers]) if identifiers is not None else [],
    ))


def _opensanctions_row(fields: list[str], position: dict[str, int], line: int) -> Row | None:
    schema = _required(fields, position, "schema", line)
    entity_type = OPENSANCTIONS_SCHEMAS.get(schema)
    if entity_type is None:
        return None  # vessels, aircraft, wallets…: not parties an application can name
    return _check_size(Row(
        line=line,
        external_id=_required(fields, position, "id", line),
        name=_required(fields, position, "name", line),
        aliases=_split(_optional(fields, position, "aliases")),
        country=_countries(_optional(fields, position, "countries")),
        program="; ".join(_split(_optional(fields, position, "sanctions"))) or _optional(fields, position, "dataset"),
        entity_type=entity_type,
        identifiers=_split(_optional(fields, position, "identifiers")),
    ))


def prepare(row: Row) -> PreparedRow:
    """Normalise every name of the row (one key per distinct normalised name) and fold its
    identifiers."""
    keys: list[str] = []
    for text in (row.name, *row.aliases, *row.weak_aliases):
        key = normalise(text).key
        if key and key not in keys:
            keys.append(key)
    return PreparedRow(row=row, keys=keys, identifiers=_identifiers(row))


def _identifiers(row: Row) -> list[str]:
    identifiers: list[str] = []
    for value in row.identifiers:
        folded = normalise_identifier(value)
        if folded and len(folded) <= 200 and folded not in identifiers:
            identifiers.append(folded)
    return identifiers


def _json_list(values: list[str]) -> str:
    # Fields hold no control characters (read_rows replaced them): only " and \ need escaping.
    if not values:
        return "[]"
    return '["' + '","'.join(v.replace("\\", "\\\\").replace('"', '\\"') for v in values) + '"]'


@dataclass(frozen=True, slots=True)
class CopyPayload:
    """One chunk of rows as COPY text for the entries and the blocks, built in a worker."""

    entries: bytes
    blocks: bytes
    entry_count: int
    key_count: int
    identifier_count: int
    block_count: int
    ids: list[str]  # external ids, for the check across blocks
    lines: list[int]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection meanwhile. Parsing and formatting a block allocate
    hundreds of thousands of small objects (rows, lists, strings) and create no reference
    cycle: each allocation burst would otherwise trigger collections that walk every live
    object again — half the parsing time, measured (docs/performance.md). Reference counting
    still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def copy_payload(source_id: int, first_id: int, layout: Layout, block: Block) -> CopyPayload:
    """Parse, check, normalise and format a block for ``COPY … FROM STDIN`` (the CPU-heavy
    part of an import); raises ImportFailed at the block's first bad record.

    Entry ids are ``first_id`` onwards; the caller reserved one per line of the block,
    which is at least one per record. Pure: runs in a worker process, without the database.
    """
    with gc_paused():
        return rows_payload(source_id, first_id, parse_block(layout, block))


def rows_payload(source_id: int, first_id: int, rows: list[Row]) -> CopyPayload:
    """Normalise and format checked rows for ``COPY … FROM STDIN`` (every format ends here;
    see ``_rows_payload``)."""
    with gc_paused():
        return _rows_payload(source_id, first_id, rows)


def _rows_payload(source_id: int, first_id: int, rows: list[Row]) -> CopyPayload:
    """Normalise and format checked rows for ``COPY … FROM STDIN``.

    Columns: entries (id, source_id, external_id, name, aliases, country, program,
    entity_type, identifiers, keys, identifier_keys, weak_aliases, birth_dates,
    fingerprint); blocks (block, entry_id, key).
    """
    entries: list[str] = []
    blocks: list[str] = []
    source = str(source_id)
    key_count = identifier_count = 0
    for entry_id, row in enumerate(rows, start=first_id):
        entry = str(entry_id)
        keys: list[str] = []
        person = row.entity_type == EntityType.PERSON
        for text in (row.name, *row.aliases, *row.weak_aliases):
            forms = normalise(text)
            key = forms.key
            if key and key not in keys:
                keys.append(key)
                # One line per block: "block<TAB>entry<TAB>key", built with one join per name.
                suffix = f"\t{entry}\t{_block_key(ranking_key(forms))}\n"
                blocks.append(suffix.join(map(str, name_blocks(forms, person=person))) + suffix)
        identifiers = _identifiers(row)
        for value in identifiers:
            blocks.append(f"{identifier_block(value)}\t{entry}\t\n")
        # COPY text format: fields hold no tab, line break or NUL (parse_record replaced control
        # characters; keys are one per line, so their line breaks become the escape \n).
        line = "\t".join((
            entry, source, row.external_id, row.name, _json_list(row.aliases), row.country, row.program,
            row.entity_type, _json_list(row.identifiers), "\x1f".join(keys),
            f"|{'|'.join(identifiers)}|" if identifiers else "",
            _json_list(row.weak_aliases), _json_list(row.birth_dates), fingerprint(row),
        ))
        if "\\" in line:
            line = line.replace("\\", "\\\\")
        entries.append(line.replace("\x1f", "\\n"))
        key_count += len(keys)
        identifier_count += len(identifiers)
    block_text = "".join(blocks)
    return CopyPayload(
        entries=_lines(entries), blocks=block_text.encode(), entry_count=len(entries), key_count=key_count,
        identifier_count=identifier_count, block_count=block_text.count("\n"),
        ids=[row.external_id for row in rows], lines=[row.line for row in rows],
    )


# A B-tree index entry must stay well under 2.7 kB; keys beyond this only rank candidates.
BLOCK_KEY_CHARS = 200


def _block_key(key: str) -> str:
    key = key[:BLOCK_KEY_CHARS]
    return key.replace("\\", "\\\\") if "\\" in key else key


def _lines(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode() if lines else b""


def worker_setup(language: str | None) -> None:
    """In an import worker process: the least of Django it needs. The worker never touches
    the database and loads no app: an ``ImportFailed`` raised here is rebuilt from its code
    and parameters in the importing process (``ImportFailed.__reduce__``), which renders it
    in the reader's language, so settings without translation do (``django.setup()`` cost
    ~2 CPU-seconds per worker). Lives here, not in services, because unpickling it must not
    import models. ``language`` is kept for callers; the message is translated by the caller.
    """
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)
    gc.freeze()  # what was loaded stays: never walked by a collection again


Progress = Callable[[int, int], None]  # (entries so far, bytes read so far)
