"""Reading a bureau file takes time in proportion to its size, whatever its quoting; a
quote left open is refused at its line at once, and nothing is imported."""

import gc
import io
import time

import pytest

from monitoring.credit_import import HEADER, CreditImportError, from_text, parse
from monitoring.models import CustomerCreditProfile, JobRun
from tests.monitoring.factories import admitted_customer

HEADER_LINE = ",".join(HEADER) + "\n"


def _runaway(rows: int) -> bytes:
    """A tenth of good rows, a credit code whose quote is never closed, then the rest."""
    before = rows // 10
    lines = [f"91110000{i:010d},2026-01-01,700,0,0,A" for i in range(before)]
    lines.append('"911100009999999999,2026-01-01,700,0,0,A')
    lines += [f"92110000{i:010d},2026-01-01,700,0,0,A" for i in range(rows - before)]
    return (HEADER_LINE + "\n".join(lines) + "\n").encode()


def _no_line_breaks(rows: int) -> bytes:
    """After the header, one line of ``rows`` records' worth of characters (a file saved
    without line breaks): the old reader re-split its growing line at every read."""
    return (HEADER_LINE + "x" * (40 * rows)).encode()


def _parse(data: bytes) -> CreditImportError:
    try:
        for _row in parse(io.BytesIO(data)):
            pass
    except CreditImportError as error:
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
    small, large = _runaway(20_000), _runaway(200_000)
    _parse(small)  # warm up
    ratio = _best_time(large) / _best_time(small)
    assert ratio <= 15, f"10x the file took {ratio:.1f}x the time"


@pytest.mark.parametrize("rows", [1_000, 10_000])
def test_runaway_quote_names_its_line(rows):
    error = _parse(_runaway(rows))
    assert str(error) == f"Line {rows // 10 + 2}: a quote opened on this line is not closed on it."


def test_a_file_without_line_breaks_is_refused_at_line_two():
    # The old reader split its ever longer line again at each read: quadratic.
    assert str(_parse(_no_line_breaks(1_000))) == "Line 2: the line is longer than 1000 characters."


def test_bytes_that_are_not_utf8_name_their_line():
    data = HEADER_LINE.encode() + b"911100000000000001,2026-01-01,700,0,0,A\n9111000000000000\xff2,2026-01-01,700,0,0,A\n"
    assert str(_parse(data)) == "Line 3: the file is not UTF-8 text."


@pytest.mark.django_db
def test_runaway_quote_changes_nothing(db):
    customer = admitted_customer()
    before = CustomerCreditProfile.objects.get(pk=customer.pk).bureau_score
    text = HEADER_LINE + f"{customer.credit_code},2026-01-01,400,9,9,D\n" + '"' + customer.credit_code + ",x\n" * 50
    with pytest.raises(CreditImportError, match="^Line 3: a quote opened on this line is not closed on it.$"):
        from_text(text)
    assert CustomerCreditProfile.objects.get(pk=customer.pk).bureau_score == before
    assert not JobRun.objects.exists()


def test_line_ends_of_every_kind_are_read():
    rows = ["911100000000000001,2026-01-01,700,0,0,A", "911100000000000002,2026-01-01,650,1,0,B"]
    for ending in ("\n", "\r\n", "\r"):
        data = (ending.join([",".join(HEADER), *rows]) + ending).encode("utf-8-sig")
        assert [row.bureau_score for row in parse(io.BytesIO(data))] == [700, 650]
