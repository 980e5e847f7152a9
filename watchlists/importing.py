"""Reading watchlist files: the two formats, row checks, and rows ready for the database.

Parsing is separate from writing (``watchlists.services.watchlist_import``) so that a
file is checked row by row as it streams into the database, and the first bad row stops
the import with its line number while the transaction is rolled back.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

from django.utils.translation import gettext as _

from watchlists.blocking import entry_blocks
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
    """The file cannot be imported; ``line`` is the 1-based line of the first problem."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(self.display)

    def __reduce__(self):
        # Raised in a worker process, re-raised here: keep both arguments.
        return (ImportFailed, (self.message, self.line))

    @property
    def display(self) -> str:
        if self.line is None:
            return self.message
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


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


@dataclass(frozen=True, slots=True)
class PreparedRow:
    """A row with what the import derives: its normalised keys and folded identifiers."""

    row: Row
    keys: list[str]
    identifiers: list[str]
    blocks: set[int]

    @property
    def keys_text(self) -> str:
        return "\n".join(self.keys)

    @property
    def identifiers_text(self) -> str:
        return f"|{'|'.join(self.identifiers)}|" if self.identifiers else ""


class Lines:
    """The lines of a binary file decoded one by one, so that a bad byte names its own line.

    (A text wrapper decodes ahead in blocks and would blame an earlier line.) Counts lines
    and bytes for the error message and the progress display.
    """

    def __init__(self, binary: BinaryIO) -> None:
        self.binary = binary
        self.number = 0
        self.bytes_read = 0

    def __iter__(self) -> Iterator[str]:
        for raw in self.binary:
            self.number += 1
            self.bytes_read += len(raw)
            if self.number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ImportFailed(_("the file is not UTF-8 text."), self.number) from None


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


Record = tuple[int, list[str]]  # (line number, fields as read)


def open_records(lines: Lines, file_format: str) -> tuple[Layout, Iterator[Record]]:
    """Check the header now; return the layout and the records, checked only for what needs
    the whole file (field count, blank lines, an id seen twice). ``parse_record`` checks the rest."""
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailed(_("The file is empty."), 1) from None
    except csv.Error as error:
        raise ImportFailed(_("the CSV is malformed (%(error)s).") % {"error": error}, 1) from None
    header = [column.strip().lower() for column in header]
    if file_format == SourceFormat.OPENSANCTIONS:
        required, expected = OPENSANCTIONS_REQUIRED, OPENSANCTIONS_COLUMNS
    elif file_format == SourceFormat.CSV:
        required = expected = CSV_COLUMNS
    else:
        raise ImportFailed(_("Unknown format “%(format)s”.") % {"format": file_format})
    missing = [column for column in required if column not in header]
    if missing:
        raise ImportFailed(
            _("The header lacks the column(s) %(columns)s (expected %(expected)s).")
            % {"columns": ", ".join(missing), "expected": ",".join(expected)},
            1,
        )
    layout = Layout(file_format=file_format, position={c: header.index(c) for c in header}, width=len(header))
    return layout, _records(reader, layout)


def _records(reader, layout: Layout) -> Iterator[Record]:
    id_column = layout.position["id"]
    seen_ids: set[str] = set()
    line = 1
    try:
        for fields in reader:
            line = reader.line_num
            if len(fields) != layout.width:
                if not any(field.strip() for field in fields):
                    continue  # blank line
                raise ImportFailed(
                    _("expected %(expected)d fields, found %(found)d.") % {"expected": layout.width,
                                                                           "found": len(fields)},
                    line,
                )
            external_id = fields[id_column].strip()
            if external_id in seen_ids:
                raise ImportFailed(_("the id “%(id)s” appears twice.") % {"id": external_id[:80]}, line)
            seen_ids.add(external_id)
            yield line, fields
    except csv.Error as error:
        raise ImportFailed(_("the CSV is malformed (%(error)s).") % {"error": error}, reader.line_num or line + 1) from None


def parse_record(layout: Layout, line: int, fields: list[str]) -> Row | None:
    """The checked row of one record, or None for a record that is not a party (a vessel)."""
    # Control characters (a line break inside quotes, a tab) mean nothing in a name.
    fields = [f if f.isprintable() else _CONTROL.sub(" ", f) for f in fields]
    if not any(f.strip() for f in fields):
        return None
    if layout.file_format == SourceFormat.OPENSANCTIONS:
        return _opensanctions_row(fields, layout.position, line)
    return _csv_row(fields, layout.position, line)


def read_rows(lines: Lines, file_format: str) -> Iterator[Row]:
    """Yield checked rows; raise ImportFailed at the first problem, naming its line."""
    layout, records = open_records(lines, file_format)
    for line, fields in records:
        row = parse_record(layout, line, fields)
        if row is not None:
            yield row


def _required(fields: list[str], position: dict[str, int], column: str, line: int) -> str:
    value = fields[position[column]].strip()
    if not value:
        raise ImportFailed(_("the column “%(column)s” is empty.") % {"column": column}, line)
    return value


def _optional(fields: list[str], position: dict[str, int], column: str) -> str:
    index = position.get(column)
    return fields[index].strip() if index is not None else ""


def _check_size(row: Row) -> Row:
    if len(row.external_id) > 200:
        raise ImportFailed(_("the id is longer than 200 characters."), row.line)
    if len(row.aliases) + 1 > MAX_NAMES_PER_ENTRY:
        raise ImportFailed(_("more than %(count)d names for one entry.") % {"count": MAX_NAMES_PER_ENTRY}, row.line)
    return row


def _csv_row(fields: list[str], position: dict[str, int], line: int) -> Row:
    raw_type = _required(fields, position, "entity_type", line).lower()
    entity_type = ENTITY_TYPES.get(raw_type)
    if entity_type is None:
        raise ImportFailed(
            _("entity_type must be “company” or “person”, not “%(value)s”.") % {"value": raw_type[:40]}, line
        )
    return _check_size(Row(
        line=line,
        external_id=_required(fields, position, "id", line),
        name=_required(fields, position, "name", line),
        aliases=_split(_optional(fields, position, "aliases")),
        country=_countries(_optional(fields, position, "country")),
        program=_optional(fields, position, "program"),
        entity_type=entity_type,
        identifiers=_split(_optional(fields, position, "identifiers")),
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
    """Normalise every name of the row (one key per distinct normalised name), fold its
    identifiers, and compute its candidate-index blocks."""
    forms = []
    keys: list[str] = []
    for text in (row.name, *row.aliases):
        normalised = normalise(text)
        if normalised and normalised.key not in keys:
            keys.append(normalised.key)
            forms.append(normalised)
    identifiers = _identifiers(row)
    return PreparedRow(row=row, keys=keys, identifiers=identifiers, blocks=entry_blocks(forms, identifiers))


def _identifiers(row: Row) -> list[str]:
    identifiers: list[str] = []
    for value in row.identifiers:
        folded = normalise_identifier(value)
        if folded and len(folded) <= 200 and folded not in identifiers:
            identifiers.append(folded)
    return identifiers


def prepare_chunk(rows: list[Row]) -> list[PreparedRow]:
    return [prepare(row) for row in rows]


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


def copy_payload(source_id: int, entry_ids: list[int], layout: Layout, records: list[Record]) -> CopyPayload:
    """Check, normalise and format a chunk for ``COPY … FROM STDIN`` (the CPU-heavy part of an
    import); raises ImportFailed at the chunk's first bad record.

    Columns: entries (id, source_id, external_id, name, aliases, country, program,
    entity_type, identifiers, keys, identifier_keys); blocks (block, entry_id). Pure: runs
    in a worker process, without the database.
    """
    entries: list[str] = []
    blocks: list[str] = []
    source = str(source_id)
    key_count = identifier_count = 0
    for entry_id, (line, fields) in zip(entry_ids, records, strict=True):
        row = parse_record(layout, line, fields)
        if row is None:
            continue
        prepared = prepare(row)
        entry = str(entry_id)
        # COPY text format: fields hold no tab, line break or NUL (read_rows replaced control
        # characters; keys are one per line, so their line breaks become the escape \n).
        line = "\t".join((
            entry, source, row.external_id, row.name, _json_list(row.aliases), row.country, row.program,
            row.entity_type, _json_list(row.identifiers), "\x1f".join(prepared.keys), prepared.identifiers_text,
        ))
        if "\\" in line:
            line = line.replace("\\", "\\\\")
        entries.append(line.replace("\x1f", "\\n"))
        suffix = f"\t{entry}"
        blocks.extend(f"{block}{suffix}" for block in prepared.blocks)
        key_count += len(prepared.keys)
        identifier_count += len(prepared.identifiers)
    return CopyPayload(
        entries=_lines(entries), blocks=_lines(blocks), entry_count=len(entries), key_count=key_count,
        identifier_count=identifier_count, block_count=len(blocks),
    )


def _lines(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode() if lines else b""


def worker_setup(language: str | None) -> None:
    """In an import worker process: Django's settings (for translated error messages); the
    worker never touches the database. Lives here, not in services, because unpickling it
    must not import models before ``django.setup()``."""
    import django
    from django.utils import translation

    django.setup()
    if language:
        translation.activate(language)


def chunked(rows: Iterator, size: int) -> Iterator[list]:
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


Progress = Callable[[int, int], None]  # (entries so far, bytes read so far)
