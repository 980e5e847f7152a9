"""Importing lists: both formats, replacement in one transaction, errors naming their line."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.roles import Role
from tests.factories import user_with
from tests.watchlists.conftest import HEADER, csv_file, import_list
from watchlists import importing
from watchlists.enums import Disposition, SourceFormat, Subject
from watchlists.importing import ImportFailed
from watchlists.matching import search
from watchlists.models import ScreeningHit, WatchlistEntry, WatchlistSource
from watchlists.services import watchlist_import

pytestmark = pytest.mark.django_db

OPENSANCTIONS_HEADER = (
    "id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,dataset,"
    "first_seen,last_seen,last_change\n"
)


def test_import_simple_csv_stores_entries_and_counts(sample_list):
    source = WatchlistSource.objects.get(name="Test list")
    assert (sample_list.entries, source.entry_count, source.format) == (4, 4, SourceFormat.CSV)
    person = WatchlistEntry.objects.get(external_id="P-1")
    assert (person.name, person.aliases, person.country, person.program, person.entity_type) == (
        "张伟", ["Zhang Wei", "ZHANG Wei"], "CN", "TEST", "person"
    )
    # 张伟, Zhang Wei and ZHANG Wei normalise alike: one key.
    assert person.keys == "wei zhang"


def test_import_aliases_are_split_on_semicolons_and_trimmed(db):
    import_list("X-1,Acme Trading, Acme Corp ;Acme Holdings;,US,SDN,company")
    assert WatchlistEntry.objects.get().aliases == ["Acme Corp", "Acme Holdings"]


def test_import_opensanctions_maps_schemas_and_skips_other_things(db):
    data = OPENSANCTIONS_HEADER + (
        'NK-1,Company,Acme Shipping Ltd,Acme Marine;ACME SHIPPING,,kp;cn,,IMO1234567;REG-99,UN SC 1718,,,un_sc,'
        '2020-01-01,2026-01-01,2026-01-01\n'
        'NK-2,Person,Kim Chol,,1970-01-01,kp,,,UN SC 1718,,,un_sc,2020-01-01,2026-01-01,2026-01-01\n'
        'NK-3,Vessel,Sea Star,,,kp,,IMO7654321,UN SC 1718,,,un_sc,2020-01-01,2026-01-01,2026-01-01\n'
        'NK-4,Organization,Korea Trading Bureau,,,kp,,,,,,un_sc,2020-01-01,2026-01-01,2026-01-01\n'
    )
    result = watchlist_import(file=io.BytesIO(data.encode()), source_name="OpenSanctions",
                              file_format=SourceFormat.OPENSANCTIONS)
    entries = {e.external_id: e for e in WatchlistEntry.objects.all()}
    assert (result.entries, sorted(entries)) == (3, ["NK-1", "NK-2", "NK-4"])
    assert (entries["NK-1"].entity_type, entries["NK-2"].entity_type, entries["NK-4"].entity_type) == (
        "company", "person", "company"
    )
    assert entries["NK-1"].country == "KP;CN"
    assert entries["NK-1"].identifiers == ["IMO1234567", "REG-99"]
    assert entries["NK-1"].program == "UN SC 1718"
    assert entries["NK-4"].program == "un_sc"  # no sanctions programme: the dataset


def test_import_replaces_the_sources_entries_and_leaves_other_sources(db):
    import_list("A-1,Old Name,,,,company")
    import_list("Z-1,Other List Name,,,,company", source="Other")
    import_list("A-2,New Name,,,,company")
    assert sorted(WatchlistEntry.objects.values_list("external_id", flat=True)) == ["A-2", "Z-1"]
    assert [m.external_id for m in search("Old Name")] == []
    assert [m.external_id for m in search("New Name")] == ["A-2"]


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        (["A-1,Fine,,,,company", "A-2,Bad,,,,robot"], 3, "entity_type must be “company” or “person”, not “robot”."),
        (["A-1,Fine,,,,company", "A-2,,,,,company"], 3, "the column “name” is empty."),
        (["A-1,Fine,,,,company", "A-2,Short,company"], 3, "expected 6 fields, found 3."),
        (["A-1,Fine,,,,company", "A-1,Again,,,,company"], 3, "the id “A-1” appears twice."),
        (["A-1,Fine,,,,company", 'A-2,"Multi', 'line",,,,person', "A-3,Bad,,,,robot"], 5,
         "entity_type must be “company” or “person”, not “robot”."),
    ],
)
def test_broken_file_keeps_the_previous_list_and_names_the_line(db, lines, line, message):
    import_list("OLD-1,Old Name,,,,company")
    with pytest.raises(ImportFailed) as raised:
        import_list(*lines)
    assert (raised.value.line, raised.value.message) == (line, message)
    assert list(WatchlistEntry.objects.values_list("external_id", flat=True)) == ["OLD-1"]
    assert WatchlistSource.objects.get().entry_count == 1
    assert [m.external_id for m in search("Old Name")] == ["OLD-1"]


def test_broken_file_error_in_a_later_block_names_its_line(db, monkeypatch):
    monkeypatch.setattr(importing, "BLOCK_BYTES", 64)  # many small blocks
    lines = [f"A-{i},Company Number {i},,,,company" for i in range(1, 40)] + ["A-40,Bad,,,,robot"]
    with pytest.raises(ImportFailed) as raised:
        import_list(*lines)
    assert raised.value.line == 41


def test_duplicate_id_in_another_block_names_its_line(db, monkeypatch):
    monkeypatch.setattr(importing, "BLOCK_BYTES", 64)
    lines = [f"A-{i},Company Number {i},,,,company" for i in range(1, 30)] + ["A-3,Again,,,,company"]
    with pytest.raises(ImportFailed) as raised:
        import_list(*lines)
    assert (raised.value.line, raised.value.message) == (31, "the id “A-3” appears twice.")


def test_broken_file_not_utf8_names_the_line(db):
    data = (HEADER + "A-1,Fine,,,,company\nA-2,Caf\xe9,,,,company\n").encode("latin-1")
    with pytest.raises(ImportFailed) as raised:
        watchlist_import(file=io.BytesIO(data), source_name="Test list")
    assert (raised.value.line, raised.value.message) == (3, "the file is not UTF-8 text.")


def test_broken_header_is_line_1(db):
    with pytest.raises(ImportFailed) as raised:
        watchlist_import(file=csv_file("A-1,Fine,company", header="id,name,entity_type\n"), source_name="T")
    assert raised.value.line == 1
    assert raised.value.message.startswith("The header lacks the column(s) aliases, country, program")


def test_empty_file_is_refused(db):
    with pytest.raises(ImportFailed) as raised:
        watchlist_import(file=io.BytesIO(b""), source_name="T")
    assert (raised.value.line, raised.value.message) == (1, "The file is empty.")


def test_import_with_a_worker_process_gives_the_same_entries(db):
    lines = [f"W-{i},Worker Company {i},Alias {i},US,SDN,company" for i in range(1, 51)]
    result = import_list(*lines, workers=1)
    assert (result.entries, result.names) == (50, 100)
    assert [m.external_id for m in search("Worker Company 17", threshold=100)] == ["W-17"]


def test_import_with_a_worker_process_reports_the_bad_line(db):
    import_list("OLD-1,Old Name,,,,company")
    with pytest.raises(ImportFailed) as raised:
        import_list("A-1,Fine,,,,company", "A-2,Bad,,,,robot", workers=1)
    assert raised.value.line == 3
    assert list(WatchlistEntry.objects.values_list("external_id", flat=True)) == ["OLD-1"]


def test_reimport_keeps_hits_and_links_them_to_the_same_id(db, sales):
    from tests.factories import ApplicationFactory

    import_list("E-1,Acme Trading,,,,company", "E-2,Gone Away Ltd,,,,company")
    application = ApplicationFactory(created_by=sales)
    first = ScreeningHit.objects.create(
        application=application, entry=WatchlistEntry.objects.get(external_id="E-1"),
        source=WatchlistSource.objects.get(), entry_external_id="E-1", entry_name="Acme Trading",
        subject=Subject.COMPANY_NAME_EN, query_name="Acme Trading", matched_name="Acme Trading", score=100,
    )
    second = ScreeningHit.objects.create(
        application=application, entry=WatchlistEntry.objects.get(external_id="E-2"),
        source=WatchlistSource.objects.get(), entry_external_id="E-2", entry_name="Gone Away Ltd",
        subject=Subject.COMPANY_NAME_EN, query_name="Gone Away", matched_name="Gone Away Ltd", score=90,
        disposition=Disposition.FALSE_POSITIVE, reason="Other company",
    )
    import_list("E-1,Acme Trading Renamed,,,,company")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.entry == WatchlistEntry.objects.get(external_id="E-1")
    assert (second.entry, second.disposition, second.entry_name) == (None, Disposition.FALSE_POSITIVE, "Gone Away Ltd")


def test_import_command_reports_counts(db, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(HEADER + "A-1,Acme Trading,Acme Corp,US,SDN,company\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_watchlist", str(path), "--source", "OFAC", stdout=out)
    assert out.getvalue().startswith("OFAC: 1 entries, 2 names, 0 identifiers imported in ")


def test_import_command_broken_file_fails_with_the_line(db, tmp_path):
    import_list("OLD-1,Old Name,,,,company", source="OFAC")
    path = tmp_path / "list.csv"
    path.write_text(HEADER + "A-1,Acme Trading,,US,SDN,company\nA-2,Bad,,US,SDN,robot\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("import_watchlist", str(path), "--source", "OFAC")
    assert str(raised.value) == (
        f"{path}: Line 3: entity_type must be “company” or “person”, not “robot”. "
        "The previous list of “OFAC” stays in force."
    )
    assert list(WatchlistEntry.objects.values_list("external_id", flat=True)) == ["OLD-1"]


def test_import_command_exit_code_is_non_zero(db, tmp_path):
    import os
    import subprocess
    import sys

    from django.conf import settings
    from django.db import connection

    path = tmp_path / "list.csv"
    path.write_text(HEADER + "A-1,Bad,,US,SDN,robot\n", encoding="utf-8")
    database = connection.settings_dict
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
    }
    finished = subprocess.run(
        [sys.executable, "manage.py", "import_watchlist", str(path), "--source", "X"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert finished.returncode == 1
    assert "Line 2: entity_type must be “company” or “person”, not “robot”." in finished.stderr


def test_import_records_who_and_the_file(db):
    manager = user_with(Role.RISK_MANAGER)
    watchlist_import(file=csv_file("A-1,Acme,,,,company"), source_name="T", file_name="t.csv", actor=manager)
    source = WatchlistSource.objects.get()
    assert (source.file_name, source.imported_by, source.imported_at is not None) == ("t.csv", manager, True)
