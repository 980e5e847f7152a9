"""The official lists' own formats: OFAC SDN, UN consolidated XML, UK (OFSI) and EU CSV,
OpenSanctions FollowTheMoney JSON lines.

Each reader streams its file(s) and yields checked ``watchlists.importing.Row`` objects in
batches (``read_rows``), which ``watchlists.services.watchlist_import`` writes with the
same COPY path as the simple CSV. A list that gives one row per name or per detail (UK,
EU) is grouped by its entry id as it is read; OFAC's aliases and addresses (ALT.CSV,
ADD.CSV, a few MB) are read before SDN.CSV streams. The first problem raises
``ImportFailed`` naming its line (CSV, JSON lines, XML syntax) or its element (XML).

Countries are kept as the list gives them: ISO codes (EU, OpenSanctions) or names (OFAC,
UN, UK); weak aliases (OFAC's "a.k.a." in the remarks, the UN's quality "Low", UK quality
"Low", EU ``strong=false``, FollowTheMoney ``weakAlias``) score lower (``matching``).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

from django.utils.translation import gettext_noop

from watchlists.countries import iso_codes
from watchlists.enums import EntityType, SourceFormat
from watchlists.importing import _CONTROL, MAX_NAMES_PER_ENTRY, ImportFailed, Row, _csv_failure

OFFICIAL_FORMATS = (SourceFormat.OFAC, SourceFormat.UN, SourceFormat.UK, SourceFormat.EU, SourceFormat.FTM)
BATCH = 2000
ZIP_MAGIC = b"PK\x03\x04"


class Counter:
    """Bytes read so far, over every file of the import (for the progress bar)."""

    def __init__(self) -> None:
        self.bytes = 0


# --- The files of an import ------------------------------------------------------------------


@contextlib.contextmanager
def open_inputs(file) -> Iterator[tuple[dict[str, BinaryIO], int]]:
    """The file(s) of an import as {lower-case base name: binary file}, and their total size.

    ``file`` is a path (a file, a folder: its files, a zip: its members), several paths,
    or an open binary file (a zip's members, or the file itself under the name "").
    """
    with contextlib.ExitStack() as stack:
        members: dict[str, BinaryIO] = {}
        total = 0

        def add_binary(name: str, binary: BinaryIO, size: int) -> None:
            nonlocal total
            head = binary.read(4)
            binary.seek(0)
            if head == ZIP_MAGIC:
                archive = stack.enter_context(zipfile.ZipFile(binary))
                for info in archive.infolist():
                    if not info.is_dir():
                        members[os.path.basename(info.filename).lower()] = stack.enter_context(archive.open(info))
                        total += info.file_size
            else:
                members[name] = binary
                total += size

        def add_path(path: Path) -> None:
            if path.is_dir():
                for child in sorted(path.iterdir()):
                    if child.is_file() and not child.name.startswith("."):
                        add_path(child)
                return
            add_binary(path.name.lower(), stack.enter_context(open(path, "rb")), path.stat().st_size)

        if isinstance(file, str | Path):
            add_path(Path(file))
        elif isinstance(file, list | tuple):
            for path in file:
                add_path(Path(path))
        else:
            start = file.tell() if file.seekable() else 0
            size = file.seek(0, os.SEEK_END) - start
            file.seek(start)
            add_binary("", file, size)
        yield members, total


AUTO = "auto"
UNKNOWN_FORMAT = gettext_noop(
    "The format of the file cannot be told from its contents: it is none of OFAC SDN (SDN.XML, or SDN.CSV with "
    "ALT.CSV and ADD.CSV), the UN consolidated list (XML), the EU financial sanctions file (XML or CSV), the UK "
    "consolidated list (ConList.csv), OpenSanctions (entities.ftm.json or targets.simple.csv) or the simple CSV "
    "(id,name,aliases,country,program,entity_type). Choose the format if it is one of them."
)
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)([^>]*)>")


def _head(binary: BinaryIO, size: int = 8192) -> str:
    """The first bytes of a file as text (BOM dropped), the file put back at its start."""
    head = binary.read(size)
    with contextlib.suppress(OSError, io.UnsupportedOperation):
        binary.seek(0)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "replace").lstrip("\ufeff \r\n\t")
    return head.decode("utf-8", "replace").lstrip("\ufeff \r\n\t")


def xml_root(text: str) -> tuple[str, str]:
    """The root element's local name and its attributes (namespace declarations) in the
    beginning of an XML file, past the declaration, comments and a DOCTYPE; ("", "") if none."""
    position = 0
    while True:
        start = text.find("<", position)
        if start < 0:
            return "", ""
        if text.startswith(("<?", "<!"), start):
            end = text.find("-->", start) + 3 if text.startswith("<!--", start) else text.find(">", start) + 1
            if end <= 0:
                return "", ""
            position = end
            continue
        match = _XML_ROOT.match(text, start)
        return (match.group(2), match.group(3)) if match else ("", "")


def detect_format(members: dict[str, BinaryIO]) -> str | None:
    """The format of an import's file(s) from their names and contents (the root element of
    an XML file, the header of a CSV, the first line of JSON lines), or None."""
    if "sdn.csv" in members or "sdn.xml" in members:
        return SourceFormat.OFAC
    if len(members) != 1:
        return None
    text = _head(next(iter(members.values())))
    if text.startswith("<"):
        root, attributes = xml_root(text)
        return {"CONSOLIDATED_LIST": SourceFormat.UN, "sdnList": SourceFormat.OFAC,
                "export": SourceFormat.EU if "fsd" in attributes or "sanctionEntity" in text else None,
                "Sanctions": SourceFormat.OFAC if "ofac" in attributes.lower() else None}.get(root)
    first = text.split("\n", 1)[0].lower()
    two = "\n".join(text.split("\n", 2)[:2]).lower()
    if text.startswith("{"):
        return SourceFormat.FTM
    if "group id" in two and "name 6" in two:
        return SourceFormat.UK
    if "entity_logicalid" in first:
        return SourceFormat.EU
    columns = {column.strip() for column in first.split(",")}
    if {"schema", "dataset"} <= columns:
        return SourceFormat.OPENSANCTIONS
    if "entity_type" in columns:
        return SourceFormat.CSV
    if re.match(r'\d+,"', text):
        return SourceFormat.OFAC
    return None


def read_rows(file_format: str, members: dict[str, BinaryIO], counter: Counter) -> Iterator[list[Row]]:
    """The checked rows of an official list, in batches."""
    readers: dict[str, Callable[[dict[str, BinaryIO], Counter], Iterator[Row]]] = {
        SourceFormat.OFAC: _ofac, SourceFormat.UN: _un, SourceFormat.UK: _uk, SourceFormat.EU: _eu,
        SourceFormat.FTM: _ftm,
    }
    batch: list[Row] = []
    for row in readers[file_format](members, counter):
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _single(members: dict[str, BinaryIO], suffixes: tuple[str, ...]) -> BinaryIO:
    if len(members) == 1:
        return next(iter(members.values()))
    chosen = [binary for name, binary in members.items() if name.endswith(suffixes)]
    if len(chosen) != 1:
        raise ImportFailed(gettext_noop("Give one list file (found %(count)d)."), None, {"count": len(members)})
    return chosen[0]


# --- Shared helpers ---------------------------------------------------------------------------


def _clean(value: str | None) -> str:
    """One line of text: no control character (COPY and JSON need none), single spaces."""
    if not value:
        return ""
    if not value.isprintable():
        value = _CONTROL.sub(" ", value)
    return " ".join(value.split())


def _unique(values: Iterable[str], *, exclude: Iterable[str] = ()) -> list[str]:
    seen = set(exclude)
    result: list[str] = []
    for value in values:
        value = _clean(value)
        if value and value not in seen:
            seen.add(value)
            result.append(value)
    return result


def _row(
    line: int | None, external_id: str, name: str, entity_type: str, *, aliases: Iterable[str] = (),
    weak: Iterable[str] = (), countries: Iterable[str] = (), programs: Iterable[str] = (),
    identifiers: Iterable[str] = (), birth_dates: Iterable[str] = (),
) -> Row:
    external_id, name = _clean(external_id), _clean(name)
    strong = _unique(aliases, exclude=[name])
    weak_aliases = _unique(weak, exclude=[name, *strong])
    if len(external_id) > 200:
        raise ImportFailed(gettext_noop("the id is longer than 200 characters."), line)
    if len(strong) + len(weak_aliases) >= MAX_NAMES_PER_ENTRY:
        raise ImportFailed(gettext_noop("more than %(count)d names for one entry."), line,
                           {"count": MAX_NAMES_PER_ENTRY})
    return Row(
        line=line, external_id=external_id, name=name, aliases=strong,
        country=";".join(iso_codes(_unique(countries)))[:200], program="; ".join(_unique(programs)),
        entity_type=entity_type, identifiers=[value[:200] for value in _unique(identifiers)],
        weak_aliases=weak_aliases, birth_dates=_unique(birth_dates),
    )


def _text_lines(binary: BinaryIO, counter: Counter, *, encoding: str = "utf-8") -> Iterator[str]:
    """Decoded lines, each counted; a line that is not UTF-8 is refused with its number."""
    for number, raw in enumerate(binary, start=1):
        counter.bytes += len(raw)
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode(encoding)
        except UnicodeDecodeError:
            raise ImportFailed(gettext_noop("the file is not UTF-8 text."), number) from None


def _csv_records(lines: Iterable[str], *, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, fields) for each CSV record; blank lines are left out."""
    reader = csv.reader(lines, delimiter=delimiter)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _csv_failure(error, start) from None
        if any(field.strip() for field in fields):
            yield start, fields
        start = reader.line_num + 1


def _local(tag: str) -> str:
    return tag.rpartition("}")[2] if "}" in tag else tag


def xml_entries(
    binary: BinaryIO, counter: Counter, *, roots: dict[str, str | None], entry: str | tuple[str, ...],
) -> Iterator[tuple[ElementTree.Element, int, int]]:
    """Stream an XML list: each ``entry`` element (tags without their namespace), the line it
    starts on and its number among the entries of its tag; each is dropped from the tree once
    used.

    ``roots`` maps the accepted root elements to None, and other known roots to the message
    that refuses them. The file is fed one line (at most 1 MB) at a time, so the line of an
    entry is exact. A syntax error raises ImportFailed with the parser's line.
    """
    # Expat (2.4 and later) refuses entity expansion bombs; ElementTree fetches no external entity.
    parser = ElementTree.XMLPullParser(events=("start", "end"))
    open_elements: list[ElementTree.Element] = []
    tags = (entry,) if isinstance(entry, str) else entry
    counts = dict.fromkeys(tags, 0)
    line = 1
    start_line = 0
    try:
        while True:
            piece = binary.readline(1 << 20)
            if not piece:
                break
            counter.bytes += len(piece)
            parser.feed(piece)
            for event, element in parser.read_events():
                tag = _local(element.tag)
                if event == "start":
                    if not open_elements and (tag not in roots or roots[tag]):
                        raise ImportFailed(roots.get(tag) or gettext_noop(
                            "This is not the expected list: its root element is “%(element)s”, not %(expected)s."),
                            line, {"element": tag[:40], "expected": " or ".join(r for r, m in roots.items() if not m)})
                    open_elements.append(element)
                    if tag in counts:
                        start_line = line
                    continue
                open_elements.pop()
                if tag in counts:
                    counts[tag] += 1
                    for child in element.iter():
                        child.tag = _local(child.tag)
                    yield element, start_line, counts[tag]
                    if open_elements:
                        open_elements[-1].remove(element)  # stream: forget what was read
            line += piece.count(b"\n")
        parser.close()
    except ElementTree.ParseError as error:
        raise ImportFailed(gettext_noop("the XML is malformed (%(error)s)."), error.position[0],
                           {"error": str(error)}) from None
    if not any(counts.values()):
        raise ImportFailed(gettext_noop("The file holds no %(element)s element."), None,
                           {"element": " or ".join(tags)})


# --- OFAC SDN (legacy CSV: SDN.CSV, ALT.CSV, ADD.CSV) -------------------------------------------

_OFAC_EMPTY = "-0-"
_OFAC_WEAK = re.compile(r"a\.k\.a\.,? '([^']+)'")
_OFAC_DOB = re.compile(r"\bDOB ([^;]+?)(?:;|\.?$)")
_OFAC_NATIONALITY = re.compile(r"\b(?:nationality|citizen) ([^;]+?)(?:;|\.?$)")
_OFAC_IDENTIFIER = re.compile(
    r"\b(?:Passport|National ID No\.|Cedula No\.|Tax ID No\.|Registration Number|Registration ID|NIT #|RFC|"
    r"Identification Number|D-U-N-S Number|Business Registration Number|Company Number|SSN|C\.U\.I\.T\.|"
    r"Unified Social Credit Code \(USCC\)|IMO) ([A-Za-z0-9][A-Za-z0-9./-]*)"
)


def _ofac_value(field: str) -> str:
    field = field.strip()
    return "" if field == _OFAC_EMPTY else field


def _ofac_member(members: dict[str, BinaryIO], name: str) -> BinaryIO | None:
    for candidate in (name, name.replace(".csv", ".txt")):
        if candidate in members:
            return members[candidate]
    return None


def _ofac_details(binary: BinaryIO | None, counter: Counter, width: int, file_name: str) -> dict[str, list[list[str]]]:
    """ALT.CSV or ADD.CSV: its records by entry number."""
    details: dict[str, list[list[str]]] = {}
    if binary is None:
        return details
    for line, fields in _csv_records(_text_lines(binary, counter)):
        if len(fields) != width:
            raise ImportFailed(gettext_noop("%(file)s: expected %(expected)d fields, found %(found)d."), line,
                               {"file": file_name, "expected": width, "found": len(fields)})
        number = fields[0].strip()
        if not (number.isascii() and number.isdigit()):
            raise ImportFailed(gettext_noop("%(file)s: the entry number “%(value)s” is not a number."), line,
                               {"file": file_name, "value": number[:40]})
        details.setdefault(number, []).append([_ofac_value(field) for field in fields])
    return details


def _ofac(members: dict[str, BinaryIO], counter: Counter) -> Iterator[Row]:
    xml = members.get("sdn.xml")
    if xml is None and len(members) == 1 and _head(next(iter(members.values())), 512).startswith("<"):
        xml = next(iter(members.values()))
    if xml is not None:
        yield from _ofac_xml(xml, counter)
        return
    sdn = _ofac_member(members, "sdn.csv")
    if sdn is None:
        if len(members) != 1 or "" not in members:
            raise ImportFailed(gettext_noop("SDN.CSV is missing (give SDN.CSV, ALT.CSV and ADD.CSV, or a zip of "
                                            "them)."))
        sdn = members[""]
    aliases = _ofac_details(_ofac_member(members, "alt.csv"), counter, 5, "ALT.CSV")
    addresses = _ofac_details(_ofac_member(members, "add.csv"), counter, 6, "ADD.CSV")
    for line, fields in _csv_records(_text_lines(sdn, counter)):
        if len(fields) != 12:
            raise ImportFailed(gettext_noop("%(file)s: expected %(expected)d fields, found %(found)d."), line,
                               {"file": "SDN.CSV", "expected": 12, "found": len(fields)})
        number, name, kind, program = (_ofac_value(field) for field in fields[:4])
        remarks = _ofac_value(fields[11])
        if not (number.isascii() and number.isdigit()):
            raise ImportFailed(gettext_noop("%(file)s: the entry number “%(value)s” is not a number."), line,
                               {"file": "SDN.CSV", "value": number[:40]})
        if not name:
            raise ImportFailed(gettext_noop("the column “%(column)s” is empty."), line, {"column": "SDN_Name"})
        kind = kind.lower()
        if kind in ("vessel", "aircraft"):
            continue  # not parties an application can name
        if kind not in ("", "individual"):
            raise ImportFailed(gettext_noop("%(file)s: unknown entry type “%(value)s”."), line,
                               {"file": "SDN.CSV", "value": kind[:40]})
        alternates = aliases.get(number, [])
        yield _row(
            line, number, name, EntityType.PERSON if kind == "individual" else EntityType.COMPANY,
            # OFAC's weak a.k.a.s ("low quality") are in the remarks, the others in ALT.CSV.
            aliases=[fields[3] for fields in alternates],
            weak=_OFAC_WEAK.findall(remarks),
            countries=[*(fields[4] for fields in addresses.get(number, [])),
                       *_OFAC_NATIONALITY.findall(remarks)],
            programs=[part.strip(" []") for part in program.split("] [")],
            identifiers=_OFAC_IDENTIFIER.findall(remarks),
            birth_dates=_OFAC_DOB.findall(remarks),
        )


# --- OFAC SDN.XML (the classic sdnList schema) ------------------------------------------------------

# idList types that are facts about the entry, not identifiers one could be given.
_OFAC_NOT_IDENTIFIERS = (
    "gender", "additional sanctions information", "secondary sanctions risk", "transactions prohibited",
    "website", "email address", "phone number", "organization established date", "organization type",
    "target type", "nationality of registration", "vessel year of build", "vessel flag", "other vessel",
    "executive order", "effective date", "listing date", "caatsa", "eo13846", "aircraft", "vessel",
    "former vessel", "prohibited", "digital currency address", "registration country", "location",
)
_OFAC_XML_ROOTS = {
    "sdnList": None,
    "Sanctions": gettext_noop("This is OFAC's advanced XML (SDN_ADVANCED.XML), which is not read: give SDN.XML, or "
                              "SDN.CSV with ALT.CSV and ADD.CSV."),
}


def _ofac_xml_name(element: ElementTree.Element) -> str:
    """OFAC's way, as in SDN.CSV: "LAST, First" for a person, the last name alone otherwise."""
    last, first = _text(element, "lastName"), _text(element, "firstName")
    return f"{last}, {first}" if last and first else last or first


def _ofac_xml(binary: BinaryIO, counter: Counter) -> Iterator[Row]:
    for entry, line, index in xml_entries(binary, counter, roots=_OFAC_XML_ROOTS, entry="sdnEntry"):
        uid = _text(entry, "uid")
        where = f"sdnEntry {index}" + (f" (uid {uid[:40]})" if uid else "")
        if not (uid.isascii() and uid.isdigit()):
            raise ImportFailed(gettext_noop("%(element)s: the uid must be a number."), line, {"element": where})
        kind = _text(entry, "sdnType").lower()
        if kind in ("vessel", "aircraft"):
            continue  # not parties an application can name
        if kind not in ("individual", "entity"):
            raise ImportFailed(gettext_noop("%(element)s: the sdnType must be Individual, Entity, Vessel or "
                                            "Aircraft, not “%(value)s”."), line, {"element": where,
                                                                                 "value": kind[:40]})
        name = _ofac_xml_name(entry)
        if not name:
            raise ImportFailed(gettext_noop("%(element)s has no name (lastName)."), line, {"element": where})
        aliases: list[str] = []
        weak: list[str] = []
        for aka in entry.iter("aka"):
            (weak if _text(aka, "category").lower() == "weak" else aliases).append(_ofac_xml_name(aka))
        identifiers = []
        for document in entry.iter("id"):
            kind_of_id, number = _text(document, "idType").lower(), _text(document, "idNumber")
            if number and any(c.isdigit() for c in number) and not kind_of_id.startswith(_OFAC_NOT_IDENTIFIERS):
                identifiers.append(number)
        countries = [_text(item, "country") for tag in ("nationality", "citizenship", "address")
                     for item in entry.iter(tag)]
        yield _row(
            line, uid, name, EntityType.PERSON if kind == "individual" else EntityType.COMPANY, aliases=aliases,
            weak=weak, countries=countries, programs=[_clean(p.text) for p in entry.iter("program")],
            identifiers=identifiers, birth_dates=[_text(item, "dateOfBirth") for item in entry.iter("dateOfBirthItem")],
        )


# --- UN Security Council consolidated list (XML) -------------------------------------------------


def _text(element: ElementTree.Element | None, tag: str) -> str:
    if element is None:
        return ""
    found = element.find(tag)
    return _clean(found.text) if found is not None and found.text else ""


def _un_birth_date(element: ElementTree.Element) -> str:
    date = _text(element, "DATE")
    if date:
        return date[:10]
    year, start, end = _text(element, "YEAR"), _text(element, "FROM_YEAR"), _text(element, "TO_YEAR")
    if year:
        return year
    if start and end:
        return f"{start}–{end}"
    return start or end


def _un_party(element: ElementTree.Element, index: int, line: int) -> Row:
    person = element.tag == "INDIVIDUAL"
    reference = _text(element, "REFERENCE_NUMBER") or _text(element, "DATAID")
    where = f"{element.tag} {index}" + (f" ({reference})" if reference else "")
    if not reference:
        raise ImportFailed(gettext_noop("%(element)s has neither REFERENCE_NUMBER nor DATAID."), line,
                           {"element": where})
    name = " ".join(part for part in (
        _text(element, tag) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
    ) if part)
    if not name:
        raise ImportFailed(gettext_noop("%(element)s has no name (FIRST_NAME)."), line, {"element": where})
    aliases, weak = [_text(element, "NAME_ORIGINAL_SCRIPT")], []
    for alias in element.iter("INDIVIDUAL_ALIAS" if person else "ENTITY_ALIAS"):
        quality = _text(alias, "QUALITY").lower()
        (weak if quality in ("low", "weak") else aliases).append(_text(alias, "ALIAS_NAME"))
    countries = [_clean(value.text) for nationality in element.iter("NATIONALITY")
                 for value in nationality.iter("VALUE") if value.text]
    countries += [_text(address, "COUNTRY") for address in element.iter(
        "INDIVIDUAL_ADDRESS" if person else "ENTITY_ADDRESS")]
    return _row(
        line, reference, name, EntityType.PERSON if person else EntityType.COMPANY, aliases=aliases, weak=weak,
        countries=countries, programs=[_text(element, "UN_LIST_TYPE")],
        identifiers=[_text(document, "NUMBER") for document in element.iter("INDIVIDUAL_DOCUMENT")],
        birth_dates=[_un_birth_date(date) for date in element.iter("INDIVIDUAL_DATE_OF_BIRTH")],
    )


_UN_ROOTS = {"CONSOLIDATED_LIST": None}


def _un(members: dict[str, BinaryIO], counter: Counter) -> Iterator[Row]:
    binary = _single(members, (".xml",))
    for element, line, index in xml_entries(binary, counter, roots=_UN_ROOTS, entry=("INDIVIDUAL", "ENTITY")):
        yield _un_party(element, index, line)


# --- UK consolidated list (OFSI ConList.csv) -------------------------------------------------------

_UK_TYPES = {"individual": EntityType.PERSON, "entity": EntityType.COMPANY}
_UK_SKIPPED = {"ship"}


def _uk_date(value: str) -> str:
    """dd/mm/yyyy, 00 for unknown day or month, as an ISO date or its known part."""
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value.strip())
    if not match:
        return value
    day, month, year = match.groups()
    if month in ("0", "00"):
        return year
    if day in ("0", "00"):
        return f"{year}-{int(month):02d}"
    return f"{year}-{int(month):02d}-{int(day):02d}"


class _Group:
    """An entry of a list that gives one row per name or detail, while it is read."""

    __slots__ = ("aliases", "birth_dates", "countries", "entity_type", "identifiers", "line", "name", "programs",
                 "weak")

    def __init__(self, line: int) -> None:
        self.line = line
        self.name = ""
        self.entity_type = ""
        self.aliases: list[str] = []
        self.weak: list[str] = []
        self.countries: list[str] = []
        self.programs: list[str] = []
        self.identifiers: list[str] = []
        self.birth_dates: list[str] = []

    def row(self, external_id: str) -> Row:
        name = self.name or (self.aliases[0] if self.aliases else (self.weak[0] if self.weak else ""))
        if not name:
            raise ImportFailed(gettext_noop("the entry “%(id)s” has no name."), self.line, {"id": external_id[:80]})
        if not self.entity_type:
            raise ImportFailed(gettext_noop("the entry “%(id)s” has no type."), self.line, {"id": external_id[:80]})
        return _row(self.line, external_id, name, self.entity_type, aliases=self.aliases, weak=self.weak,
                    countries=self.countries, programs=self.programs, identifiers=self.identifiers,
                    birth_dates=self.birth_dates)


def _header_positions(fields: list[str]) -> dict[str, int]:
    return {field.strip().lstrip("\ufeff").lower(): index for index, field in enumerate(fields)}


def _uk(members: dict[str, BinaryIO], counter: Counter) -> Iterator[Row]:
    records = _csv_records(_text_lines(_single(members, (".csv",)), counter))
    position: dict[str, int] = {}
    for line, fields in records:
        candidate = _header_positions(fields)
        if "group id" in candidate and "name 6" in candidate:
            position = candidate
            break
        if line > 3:
            break
    missing = [column for column in ("name 6", "group type", "group id") if column not in position]
    if missing:
        raise ImportFailed(gettext_noop("The header lacks the column(s) %(columns)s (expected %(expected)s)."),
                           2, {"columns": ", ".join(missing), "expected": "OFSI ConList.csv"})
    width = max(position.values()) + 1

    def get(fields: list[str], column: str) -> str:
        index = position.get(column)
        return fields[index].strip() if index is not None and index < len(fields) else ""

    groups: dict[str, _Group] = {}
    skipped: set[str] = set()
    for line, fields in records:
        if len(fields) < width:
            raise ImportFailed(gettext_noop("expected %(expected)d fields, found %(found)d."), line,
                               {"expected": width, "found": len(fields)})
        group_id = get(fields, "group id")
        if not group_id:
            raise ImportFailed(gettext_noop("the column “%(column)s” is empty."), line, {"column": "Group ID"})
        kind = get(fields, "group type").lower()
        if kind in _UK_SKIPPED or group_id in skipped:
            skipped.add(group_id)
            continue
        if kind not in _UK_TYPES:
            raise ImportFailed(gettext_noop("the group type must be Individual, Entity or Ship, not “%(value)s”."),
                               line, {"value": kind[:40]})
        group = groups.get(group_id)
        if group is None:
            group = groups[group_id] = _Group(line)
        group.entity_type = _UK_TYPES[kind]
        name = " ".join(part for part in (get(fields, f"name {n}") for n in (1, 2, 3, 4, 5, 6)) if part)
        alias_type = get(fields, "alias type").lower()
        quality = get(fields, "alias quality").lower()
        if name:
            if alias_type == "primary name" and not group.name:
                group.name = name
            elif quality == "low":
                group.weak.append(name)
            else:
                group.aliases.append(name)
        group.aliases.append(get(fields, "name non-latin script"))
        dob = get(fields, "dob")
        if dob:
            group.birth_dates.append(_uk_date(dob))
        group.countries += [get(fields, "nationality"), get(fields, "country")]
        group.programs.append(get(fields, "regime"))
        for column in ("passport number", "national identification number", "passport details", "ni number"):
            value = get(fields, column)
            if value and len(value) <= 40:
                group.identifiers.append(value)
    for group_id, group in groups.items():
        yield group.row(group_id)


# --- EU financial sanctions file (CSV, ";") ---------------------------------------------------------

_EU_TYPES = {"person": EntityType.PERSON, "p": EntityType.PERSON, "enterprise": EntityType.COMPANY,
             "e": EntityType.COMPANY}


def _eu(members: dict[str, BinaryIO], counter: Counter) -> Iterator[Row]:
    binary = _single(members, (".xml", ".csv"))
    if _head(binary, 512).startswith("<"):
        yield from _eu_xml(binary, counter)
        return
    records = _csv_records(_text_lines(binary, counter), delimiter=";")
    first = next(records, None)
    if first is None:
        raise ImportFailed(gettext_noop("The file is empty."), 1)
    position = _header_positions(first[1])
    type_columns = [c for c in ("entity_subjecttype", "subject_type", "entity_subjecttype_classificationcode")
                    if c in position]
    missing = [column for column in ("entity_logicalid", "namealias_wholename") if column not in position]
    if not type_columns:
        missing.append("Entity_SubjectType")
    if missing:
        raise ImportFailed(gettext_noop("The header lacks the column(s) %(columns)s (expected %(expected)s)."),
                           1, {"columns": ", ".join(missing), "expected": "Entity_LogicalId;NameAlias_WholeName;…"})
    width = len(first[1])

    def get(fields: list[str], column: str) -> str:
        index = position.get(column)
        return fields[index].strip() if index is not None else ""

    groups: dict[str, _Group] = {}
    for line, fields in records:
        if len(fields) != width:
            raise ImportFailed(gettext_noop("expected %(expected)d fields, found %(found)d."), line,
                               {"expected": width, "found": len(fields)})
        logical_id = get(fields, "entity_logicalid")
        if not logical_id:
            raise ImportFailed(gettext_noop("the column “%(column)s” is empty."), line,
                               {"column": "Entity_LogicalId"})
        group = groups.get(logical_id)
        if group is None:
            group = groups[logical_id] = _Group(line)
        for column in type_columns:
            kind = get(fields, column).lower()
            if not kind:
                continue
            if kind not in _EU_TYPES:
                raise ImportFailed(gettext_noop("the subject type must be person or enterprise, not “%(value)s”."),
                                   line, {"value": kind[:40]})
            group.entity_type = _EU_TYPES[kind]
            break
        name = get(fields, "namealias_wholename")
        if name:
            if get(fields, "namealias_strong").lower() == "false":
                group.weak.append(name)
            elif not group.name:
                group.name = name
            else:
                group.aliases.append(name)
        group.birth_dates.append(get(fields, "birthdate_birthdate"))
        group.countries += [get(fields, "citizenship_countryiso2code").upper(),
                            get(fields, "address_countryiso2code").upper()]
        group.programs.append(get(fields, "entity_regulation_programme") or get(fields, "programme"))
        group.identifiers.append(get(fields, "identification_number"))
    for logical_id, group in groups.items():
        if group.entity_type:
            yield group.row(logical_id)
        elif group.name:  # a row type the list does not screen (e.g. a vessel) is left out
            raise ImportFailed(gettext_noop("the entry “%(id)s” has no type."), group.line, {"id": logical_id[:80]})


def _eu_xml(binary: BinaryIO, counter: Counter) -> Iterator[Row]:
    """The EU's XML (``export`` of ``sanctionEntity``: attributes hold the values)."""
    for entity, line, index in xml_entries(binary, counter, roots={"export": None}, entry="sanctionEntity"):
        logical_id = (entity.get("logicalId") or "").strip()
        where = f"sanctionEntity {index}" + (f" (logicalId {logical_id[:40]})" if logical_id else "")
        if not logical_id:
            raise ImportFailed(gettext_noop("%(element)s has no logicalId."), line, {"element": where})
        subject = entity.find("subjectType")
        kind = "" if subject is None else (subject.get("code") or subject.get("classificationCode") or "")
        kind = kind.strip().lower()
        if kind not in _EU_TYPES:
            raise ImportFailed(gettext_noop("%(element)s: the subjectType must be person or enterprise, not "
                                            "“%(value)s”."), line, {"element": where, "value": kind[:40]})
        name, aliases, weak = "", [], []
        for alias in entity.iter("nameAlias"):
            whole = _clean(alias.get("wholeName")) or " ".join(
                part for part in (_clean(alias.get(key)) for key in ("firstName", "middleName", "lastName")) if part)
            if not whole:
                continue
            if (alias.get("strong") or "").strip().lower() == "false":
                weak.append(whole)
            elif not name:
                name = whole
            else:
                aliases.append(whole)
        name = name or (weak[0] if weak else "")
        if not name:
            raise ImportFailed(gettext_noop("%(element)s has no name (nameAlias wholeName)."), line,
                               {"element": where})
        yield _row(
            line, logical_id, name, _EU_TYPES[kind], aliases=aliases, weak=weak,
            countries=[(item.get("countryIso2Code") or "").upper() for tag in ("citizenship", "address")
                       for item in entity.iter(tag)],
            programs=[item.get("programme") or "" for item in entity.iter("regulation")],
            identifiers=[item.get("number") or "" for item in entity.iter("identification")],
            birth_dates=[item.get("birthdate") or item.get("year") or "" for item in entity.iter("birthdate")],
        )


# --- OpenSanctions FollowTheMoney JSON lines ---------------------------------------------------------

FTM_SCHEMAS = {
    "Person": EntityType.PERSON, "Company": EntityType.COMPANY, "Organization": EntityType.COMPANY,
    "LegalEntity": EntityType.COMPANY, "PublicBody": EntityType.COMPANY,
}
_FTM_IDENTIFIERS = ("idNumber", "registrationNumber", "taxNumber", "innCode", "ogrnCode", "leiCode", "swiftBic",
                    "passportNumber", "uniqueEntityId", "vatCode", "okpoCode")


def _ftm(members: dict[str, BinaryIO], counter: Counter) -> Iterator[Row]:
    for line, text in enumerate(_text_lines(_single(members, (".json", ".jsonl", ".ftm")), counter), start=1):
        if not text.strip():
            continue
        try:
            entity = json.loads(text)
        except ValueError as error:
            raise ImportFailed(gettext_noop("this line is not JSON (%(error)s)."), line,
                               {"error": str(error)[:200]}) from None
        if not isinstance(entity, dict) or not isinstance(entity.get("properties", {}), dict):
            raise ImportFailed(gettext_noop("this line is not a FollowTheMoney entity (an object with id, schema "
                                            "and properties)."), line)
        entity_type = FTM_SCHEMAS.get(entity.get("schema"))
        if entity_type is None:
            if not entity.get("schema"):
                raise ImportFailed(gettext_noop("the column “%(column)s” is empty."), line, {"column": "schema"})
            continue  # vessels, sanctions, addresses…: not parties an application can name
        external_id = entity.get("id")
        if not isinstance(external_id, str) or not external_id.strip():
            raise ImportFailed(gettext_noop("the column “%(column)s” is empty."), line, {"column": "id"})
        properties = entity.get("properties") or {}

        def values(*names: str, properties=properties) -> list[str]:
            found: list[str] = []
            for name in names:
                value = properties.get(name) or []
                found += [item for item in (value if isinstance(value, list) else [value]) if isinstance(item, str)]
            return found

        names = values("name")
        if not names:
            raise ImportFailed(gettext_noop("the column “%(column)s” is empty."), line, {"column": "name"})
        datasets = entity.get("datasets") or []
        yield _row(
            line, external_id, names[0], entity_type, aliases=[*names[1:], *values("alias", "previousName")],
            weak=values("weakAlias"),
            countries=[code.upper() for code in values("nationality", "citizenship", "country", "jurisdiction")],
            programs=values("program", "programId") or [item for item in datasets if isinstance(item, str)],
            identifiers=values(*_FTM_IDENTIFIERS), birth_dates=values("birthDate"),
        )
