"""“Next page” pagination: a page of rows without counting the whole result.

Django's Paginator runs ``COUNT(*)`` over everything the filters match to print “page 3 of
4,000”, which on the daily lists costs more than the page itself once years of history have
piled up. A ``NextPage`` fetches ``per_page + 1`` rows: the extra row only says whether a next
page exists. It offers what the list templates use of Django's ``Page``.
"""

from __future__ import annotations

from collections.abc import Sequence

from accounts.validators import parse_id

# Beyond this a page number is refused as page 1: an OFFSET that deep reads every row before it.
MAX_PAGE = 10_000


class NextPage(Sequence):
    def __init__(self, rows: list, number: int, per_page: int):
        self.has_next = len(rows) > per_page
        self.object_list = rows[:per_page]
        self.number = number
        self.per_page = per_page

    def __getitem__(self, index):
        return self.object_list[index]

    def __len__(self) -> int:
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def page_number(value: str | None) -> int:
    """The page asked for: a whole number from 1 to MAX_PAGE, anything else is page 1."""
    number = parse_id(value)  # ASCII digits only: "²".isdigit() is true, int("²") raises
    return number if number is not None and number <= MAX_PAGE else 1


def next_page(queryset, page: str | None, per_page: int) -> NextPage:
    """One page of ``queryset`` (which must be ordered) and whether another follows (one query)."""
    number = page_number(page)
    start = (number - 1) * per_page
    return NextPage(list(queryset[start:start + per_page + 1]), number, per_page)
