"""search() and the ``screen`` command: candidates, identifiers, filters, JSON contract."""

import io
import json

import pytest
from django.core.management import call_command

from tests.watchlists.conftest import import_list
from watchlists import matching
from watchlists.matching import search
from watchlists.models import WatchlistEntry

pytestmark = pytest.mark.django_db


def _screen(*args) -> list[dict]:
    out = io.StringIO()
    call_command("screen", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("query", ["张伟", "Zhang Wei", "Wei Zhang", "ＺＨＡＮＧ　ＷＥＩ", "zhang, wei"])
def test_search_person_in_characters_found_by_pinyin_either_order_and_width(sample_list, query):
    assert [(m.external_id, m.score) for m in search(query)] == [("P-1", 100.0)]


@pytest.mark.parametrize(
    ("query", "score"),
    [
        ("华东精密机械股份有限公司", 100.0),  # another legal form
        ("华东精密机械", 100.0),  # none
        ("Huadong Jingmi Jixie", 100.0),  # pinyin of the characters
        ("East China Precision Machinery Limited", 100.0),  # the English alias
        ("Machinery Precision East China", 100.0),  # reordered
        ("East China Precison Machinery", 98.3),  # a typo: 1 - 1/59
    ],
)
def test_search_company_variants(sample_list, query, score):
    assert [(m.external_id, m.score) for m in search(query)] == [("C-1", score)]


def test_search_names_that_must_not_match(sample_list):
    assert search("Beijing Capital Airport") == []
    assert search("李娜") == []
    assert search("Acme Holdings International") == []


def test_search_identifier_exact_scores_100(db):
    import_list(
        "C-7,Some Company Ltd,,CN,TEST,company,91350100M000100Y43;REG 12",
        header="id,name,aliases,country,program,entity_type,identifiers\n",
    )
    entry = WatchlistEntry.objects.get()
    found = search("Unrelated Name", identifiers=["9135 0100 M000 100Y43"])
    assert [(m.entry_id, m.score, m.matched_name, m.via) for m in found] == [
        (entry.pk, 100.0, "91350100M000100Y43", "identifier")
    ]
    assert [m.entry_id for m in search("Unrelated Name", identifiers=["REG-12"])] == [entry.pk]
    assert search("Unrelated Name", identifiers=["91350100M000100Y44"]) == []
    # A query that is itself a registration number is looked up as one.
    assert [m.entry_id for m in search("91350100M000100Y43")] == [entry.pk]


def test_search_country_leaves_out_other_countries_but_not_entries_without_one(db):
    import_list("A-1,Acme Trading,,US,SDN,company", "A-2,Acme Trading,,RU,EU,company", "A-3,Acme Trading,,,X,company")
    assert [m.external_id for m in search("Acme Trading", country="us")] == ["A-1", "A-3"]


def test_search_entity_type_filter(sample_list):
    import_list('X-1,"Zhang Wei Co., Ltd.",,CN,T,company', source="Other")
    assert sorted(m.external_id for m in search("Zhang Wei")) == ["P-1", "X-1"]
    assert [m.external_id for m in search("Zhang Wei", entity_type="company")] == ["X-1"]
    assert [m.external_id for m in search("Zhang Wei", entity_type="person")] == ["P-1"]


def test_search_limit_and_order_best_first(db):
    import_list("A-1,Acme Trading,,,,company", "A-2,Acme Tradng,,,,company", "A-3,Acme Tradin,,,,company")
    found = search("Acme Trading", limit=2)
    assert [(m.external_id, m.score) for m in found] == [("A-1", 100.0), ("A-2", 95.7)]


def test_search_threshold_from_settings(db, settings):
    import_list("A-1,Acme Trading,,,,company")
    settings.WATCHLIST_MATCH_THRESHOLD = 99
    assert search("Acme Tradng") == []
    settings.WATCHLIST_MATCH_THRESHOLD = 90
    assert [m.external_id for m in search("Acme Tradng")] == ["A-1"]


def test_search_without_block_tables_scans_the_keys(sample_list):
    """The SQLite path (no block tables) finds the same entries."""
    assert matching._rows_scanned(matching.normalise("Wei Zhang"), []) == [
        (WatchlistEntry.objects.get(external_id="P-1").pk, "wei zhang")
    ]


def test_screen_command_json_shape_and_order(db):
    import_list("A-1,Acme Trading LLC,,US,SDN,company", "A-2,Acme Tradng,,US,SDN,company")
    found = _screen("Acme Trading")
    first, second = WatchlistEntry.objects.get(external_id="A-1"), WatchlistEntry.objects.get(external_id="A-2")
    assert found == [
        {"entry_id": first.pk, "name": "Acme Trading LLC", "matched_name": "Acme Trading LLC", "score": 100.0,
         "source": "Test list", "list_entry_id": "A-1"},
        {"entry_id": second.pk, "name": "Acme Tradng", "matched_name": "Acme Tradng", "score": 95.7,
         "source": "Test list", "list_entry_id": "A-2"},
    ]
    # The existing keys first, as before; the id in the list is added at the end.
    assert all(list(item) == ["entry_id", "name", "matched_name", "score", "source", "list_entry_id"]
               for item in found)


def test_screen_command_country_and_limit(db):
    import_list("A-1,Acme Trading,,US,SDN,company", "A-2,Acme Trading,,RU,EU,company")
    assert [item["entry_id"] for item in _screen("Acme Trading", "--country", "RU")] == [
        WatchlistEntry.objects.get(external_id="A-2").pk
    ]
    assert len(_screen("Acme Trading", "--limit", "1")) == 1


def test_screen_command_no_match_is_an_empty_list(sample_list):
    assert _screen("Nobody At All") == []


def test_screen_command_text_output(sample_list):
    out = io.StringIO()
    call_command("screen", "Wei Zhang", stdout=out)
    assert out.getvalue() == "100.0  张伟  [Test list P-1]  张伟\n"
