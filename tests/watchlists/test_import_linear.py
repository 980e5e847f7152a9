"""Reading a watchlist file takes time in proportion to its size, whatever its quoting;
a quote left open is refused at the line of the record it opens."""

import gc
import io
import time

import pytest

from tests.watchlists.conftest import HEADER, import_list
from watchlists import importing
from watchlists.enums import SourceFormat
from watchlists.importing import ImportFailed
from watchlists.models import WatchlistEntry


def _malformed(rows: int) -> bytes:
    """A tenth of good rows, a name whose quote is never closed, then the rest of the rows."""
    before = rows // 10
    lines = [f"A-{i},Acme Trading {i},Acme {i};Other {i},CN,SDN,company" for i in range(before)]
    lines.append('B-1,"Runaway Trading,,CN,SDN,company')
    lines += [f"C-{i},Beta Trading {i},Beta {i},CN,SDN,company" for i in range(rows - before)]
    return (HEADER + "\n".join(lines) + "\n").encode()


def _parse(data: bytes) -> ImportFailed:
    binary = io.BytesIO(data)
    layout = importing.read_header(binary, SourceFormat.CSV)
    try:
        for block in importing.read_blocks(binary, first_line=2):
            importing.parse_block(layout, block)
    except ImportFailed as error:
        return error
    raise AssertionError("the malformed file was accepted")


def _best_time(data: bytes, repeats: int = 5) -> float:
    # The best of a few, without the garbage collector: robust on a loaded machine.
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            started = time.perf_counter()
            _parse(data)
            best = min(best, time.perf_counter() - started)
    finally:
        gc.enable()
    return best


def test_parse_time_of_a_runaway_quote_grows_linearly():
    small, large = _malformed(5_000), _malformed(50_000)
    _parse(small)  # warm up
    ratio = _best_time(large) / _best_time(small)
    # Linear is ~10 (less: the parser stops at the field limit); the old code was ~50–100.
    assert ratio <= 15, f"10x the file took {ratio:.1f}x the time"


@pytest.mark.parametrize("rows", [2_000, 20_000])  # ends in the file / passes the field limit
def test_runaway_quote_names_the_line_of_its_record(rows):
    error = _parse(_malformed(rows))
    assert error.line == rows // 10 + 2
    assert error.message in (
        "a quote opened in the record that starts on this line is never closed.",
        "a field of the record that starts on this line is longer than 200,000 characters: is a quote not closed?",
    )


def test_runaway_quote_in_a_small_file_changes_nothing_and_is_named(db):
    import_list("OLD-1,Old Name,,,,company")
    with pytest.raises(ImportFailed) as raised:
        import_list("A-1,Fine,,,,company", 'A-2,"Open,,,,company', "A-3,Fine Too,,,,company")
    assert raised.value.display == "Line 3: a quote opened in the record that starts on this line is never closed."
    assert list(WatchlistEntry.objects.values_list("external_id", flat=True)) == ["OLD-1"]


def test_runaway_quote_across_many_blocks_is_named_at_its_record(db, monkeypatch):
    monkeypatch.setattr(importing, "BLOCK_BYTES", 256)
    monkeypatch.setattr(importing, "MAX_FIELD", 1000)  # only the message; the limit itself is the parser's
    lines = [f"A-{i},Company Number {i},,,,company" for i in range(1, 30)] + ['A-30,"Open,,,,company']
    lines += [f"A-{i},Company Number {i},,,,company" for i in range(31, 8000)]
    with pytest.raises(ImportFailed) as raised:
        import_list(*lines)
    assert raised.value.line == 31
    assert raised.value.message == (
        "a field of the record that starts on this line is longer than 1,000 characters: is a quote not closed?"
    )


def test_quote_inside_an_unquoted_field_is_a_character(db, monkeypatch):
    # CSV takes a quote inside an unquoted field literally: the parity of quotes is off
    # for the rest of the file, and the CSV parser finds the records instead.
    monkeypatch.setattr(importing, "BLOCK_BYTES", 256)
    lines = ['A-1,12" Pipe Works,,,,company'] + [f"A-{i},Company Number {i},,,,company" for i in range(2, 200)]
    result = import_list(*lines)
    assert result.entries == 199
    assert WatchlistEntry.objects.get(external_id="A-1").name == '12" Pipe Works'
    assert WatchlistEntry.objects.filter(external_id="A-199").exists()


def test_quoted_field_over_lines_across_block_boundaries_is_kept(db, monkeypatch):
    monkeypatch.setattr(importing, "BLOCK_BYTES", 64)
    long_alias = "Alias " + "x" * 300
    lines = [f"A-{i},Company Number {i},,,,company" for i in range(1, 10)]
    lines += [f'A-10,"Multi\nline name","{long_alias}\n;Second",,,company']
    lines += [f"A-{i},Company Number {i},,,,company" for i in range(11, 20)]
    result = import_list(*lines)
    assert result.entries == 19
    assert WatchlistEntry.objects.get(external_id="A-10").aliases == [long_alias, "Second"]


def test_a_record_longer_than_the_limit_is_refused_at_its_line(db, monkeypatch):
    monkeypatch.setattr(importing, "BLOCK_BYTES", 64)
    monkeypatch.setattr(importing, "MAX_RECORD_BYTES", 2_000)
    lines = ["A-1,Fine,,,,company", 'A-2,Name,"' + ";".join(["alias\n"] * 600) + '",,,company']
    with pytest.raises(ImportFailed) as raised:
        import_list(*lines)
    assert (raised.value.line, raised.value.message) == (
        3, "the record that starts on this line is longer than 0.002 MB: is a quote not closed?"
    )


def test_a_multiline_record_is_named_by_its_first_line(db):
    with pytest.raises(ImportFailed) as raised:
        import_list("A-1,Fine,,,,company", 'A-2,"Two\nlines",,,,robot')
    assert raised.value.line == 3
