"""The official lists' formats, on small excerpts of real files (tests/watchlists/data/).

OFAC and UN: lines and elements cut from the publishers' files (public data, see
/work/shared/reference/lists/SOURCES.md). UK, EU and OpenSanctions FollowTheMoney: built
from the publishers' documented layouts (no real file at hand when they were written).
"""

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tests.watchlists.conftest import import_list
from watchlists import formats
from watchlists.enums import ImportState, SourceFormat
from watchlists.importing import ImportFailed
from watchlists.matching import search
from watchlists.models import ImportJob, WatchlistEntry, WatchlistSource
from watchlists.services import watchlist_import

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


def entries(source: str) -> dict[str, WatchlistEntry]:
    return {entry.external_id: entry for entry in WatchlistEntry.objects.filter(source__name=source)}


def copy_data(tmp_path: Path, *names: str) -> Path:
    for name in names:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / name, target)
    return tmp_path


# --- OFAC ---------------------------------------------------------------------------------------


def test_ofac_folder_joins_aliases_and_addresses_and_reads_the_remarks():
    result = watchlist_import(file=DATA / "ofac", source_name="OFAC SDN", file_format=SourceFormat.OFAC)
    found = entries("OFAC SDN")
    # The vessel (4234) is not a party an application can name.
    assert (result.entries, sorted(found)) == (4, ["2676", "306", "36", "4106"])
    bank = found["306"]
    assert (bank.name, bank.entity_type, bank.program) == ("BANCO NACIONAL DE CUBA", "company", "CUBA")
    assert bank.aliases == ["NATIONAL BANK OF CUBA"]
    assert bank.weak_aliases == ["BNC"]  # OFAC's weak a.k.a., from the remarks
    assert bank.country == "CH;ES;JP;PA"  # ADD.CSV's country names as ISO 3166 codes
    person = found["2676"]
    assert (person.entity_type, person.program) == ("person", "SDGT; SDT")
    assert person.aliases == ["AL-ZAWAHIRI, Ayman", "SALIM, Ahmad Fuad", "AL-ZAWAHIRI, Aiman Muhammad Rabi"]
    assert person.birth_dates == ["19 Jun 1951"]
    assert person.identifiers == ["1084010", "19820215"]
    herrera = found["4106"]
    assert herrera.birth_dates == ["24 Aug 1951", "05 Jul 1951"]
    assert herrera.identifiers == ["16247821", "J287011"]
    assert herrera.weak_aliases == ["PACHO", "H7"]
    assert WatchlistSource.objects.get(name="OFAC SDN").format == SourceFormat.OFAC


def test_ofac_the_three_files_given_or_zipped_import_alike(tmp_path):
    files = [DATA / "ofac" / name for name in ("sdn.csv", "alt.csv", "add.csv")]
    watchlist_import(file=files, source_name="Given", file_format=SourceFormat.OFAC)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in files:
            zipped.write(path, path.name.upper())
    archive.seek(0)
    watchlist_import(file=archive, source_name="Zipped", file_format=None)  # detected
    given, zipped = entries("Given"), entries("Zipped")
    assert [(e.name, e.aliases, e.country, e.fingerprint) for e in given.values()] == [
        (e.name, e.aliases, e.country, e.fingerprint) for e in zipped.values()
    ]
    assert WatchlistSource.objects.get(name="Zipped").format == SourceFormat.OFAC


def test_ofac_names_and_aliases_are_found_a_weak_alias_scores_lower():
    watchlist_import(file=DATA / "ofac", source_name="OFAC SDN", file_format=SourceFormat.OFAC)
    [strong] = search("National Bank of Cuba")
    assert (strong.external_id, strong.matched_name, strong.score) == ("306", "NATIONAL BANK OF CUBA", 100.0)
    [weak] = search("BNC")
    assert (weak.external_id, weak.matched_name) == ("306", "BNC")
    assert weak.score == 90.0  # an exact weak alias scores WEAK_ALIAS_FACTOR × 100


def test_ofac_malformed_sdn_names_the_line_and_changes_nothing(tmp_path):
    watchlist_import(file=DATA / "ofac", source_name="OFAC SDN", file_format=SourceFormat.OFAC)
    before = sorted(entries("OFAC SDN"))
    folder = copy_data(tmp_path, "ofac/sdn.csv", "ofac/alt.csv", "ofac/add.csv") / "ofac"
    lines = (folder / "sdn.csv").read_text().splitlines(keepends=True)
    lines[2] = '999,"BROKEN ENTRY","individual","SDGT"\n'  # 4 fields instead of 12
    (folder / "sdn.csv").write_text("".join(lines))
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=folder, source_name="OFAC SDN", file_format=SourceFormat.OFAC)
    assert failure.value.display == "Line 3: SDN.CSV: expected 12 fields, found 4."
    assert sorted(entries("OFAC SDN")) == before


def test_ofac_malformed_alt_names_its_file_and_line(tmp_path):
    folder = copy_data(tmp_path, "ofac/sdn.csv", "ofac/alt.csv", "ofac/add.csv") / "ofac"
    with open(folder / "alt.csv", "a") as alt:
        alt.write('x12,99,"aka","NOBODY",-0- \n')
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=folder, source_name="OFAC SDN", file_format=SourceFormat.OFAC)
    assert failure.value.display == "Line 6: ALT.CSV: the entry number “x12” is not a number."
    assert not WatchlistEntry.objects.exists()


# --- UN -----------------------------------------------------------------------------------------


def test_un_xml_reads_individuals_and_entities_with_alias_quality():
    result = watchlist_import(file=DATA / "UN_consolidated.xml", source_name="UN", file_format=None)
    found = entries("UN")
    assert (result.entries, sorted(found)) == (5, ["CDe.001", "CDe.003", "CDi.001", "CDi.003", "CDi.019"])
    eric = found["CDi.001"]
    assert (eric.name, eric.entity_type, eric.program, eric.birth_dates) == ("ERIC BADEGE", "person", "DRC", ["1971"])
    assert eric.country == "CD;RW"  # "Democratic Republic of the Congo", "Rwanda"
    gaston = found["CDi.003"]
    assert gaston.weak_aliases == ["Rumuli"]  # quality "Low"
    assert gaston.aliases == ["Byiringiro Victor Rumuli", "Victor Rumuri", "Michel Byiringiro"]
    assert gaston.birth_dates == ["1948"]
    baudoin = found["CDi.019"]
    assert baudoin.birth_dates == ["1978-04-01", "1978"]
    assert baudoin.identifiers == ["1-78-09-44621-80"]
    adf = found["CDe.001"]
    assert (adf.name, adf.entity_type) == ("ADF", "company")
    assert "Allied Democratic Forces" in adf.aliases
    assert WatchlistSource.objects.get(name="UN").format == SourceFormat.UN


def test_un_malformed_xml_names_the_line_and_changes_nothing(tmp_path):
    watchlist_import(file=DATA / "UN_consolidated.xml", source_name="UN", file_format=SourceFormat.UN)
    text = (DATA / "UN_consolidated.xml").read_text()
    broken = text.replace("<SECOND_NAME>BADEGE</SECOND_NAME>", "<SECOND_NAME>BADEGE</SECOND>", 1)
    line = text[:text.index("<SECOND_NAME>BADEGE")].count("\n") + 1
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=io.BytesIO(broken.encode()), source_name="UN", file_format=SourceFormat.UN)
    assert failure.value.line == line
    assert failure.value.display.startswith(f"Line {line}: the XML is malformed (mismatched tag")
    assert len(entries("UN")) == 5


def test_un_an_individual_without_name_is_named_by_its_element():
    text = (DATA / "UN_consolidated.xml").read_text().replace("<FIRST_NAME>GASTON</FIRST_NAME>", "<FIRST_NAME/>")
    text = text.replace("<SECOND_NAME>IYAMUREMYE</SECOND_NAME>", "")
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=io.BytesIO(text.encode()), source_name="UN", file_format=SourceFormat.UN)
    assert failure.value.display == "Line 42: INDIVIDUAL 2 (CDi.003) has no name (FIRST_NAME)."  # its <INDIVIDUAL>
    assert not WatchlistEntry.objects.exists()


# --- UK -----------------------------------------------------------------------------------------


def test_uk_conlist_groups_the_rows_of_one_group_id():
    result = watchlist_import(file=DATA / "uk_conlist.csv", source_name="UK", file_format=None)
    found = entries("UK")
    assert (result.entries, sorted(found)) == (2, ["11111", "13456"])  # the ship is left out
    kim = found["13456"]
    assert (kim.name, kim.entity_type, kim.aliases, kim.weak_aliases) == (
        "Chol Su KIM", "person", ["Cholsu KIM"], ["Kim CHOL"]
    )
    assert (kim.birth_dates, kim.country, kim.identifiers) == (["1962-03-15"], "KP", ["PD745210"])
    assert kim.program == "Democratic People's Republic of Korea"
    komid = found["11111"]
    assert (komid.name, komid.entity_type) == ("KOREA MINING DEVELOPMENT TRADING CORPORATION", "company")
    assert komid.aliases == ["조선광업개발무역회사", "KOMID"]
    assert WatchlistSource.objects.get(name="UK").format == SourceFormat.UK


def test_uk_bad_group_type_names_the_line_and_changes_nothing():
    import_list("X-1,Acme Trading,,US,SDN,company", source="UK")
    text = (DATA / "uk_conlist.csv").read_text(encoding="utf-8").replace(",Entity,Primary name,", ",Vessel,Primary name,")
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=io.BytesIO(text.encode()), source_name="UK", file_format=SourceFormat.UK)
    assert failure.value.display == "Line 6: the group type must be Individual, Entity or Ship, not “vessel”."
    assert sorted(entries("UK")) == ["X-1"]


# --- EU -----------------------------------------------------------------------------------------


def test_eu_csv_groups_the_details_of_one_logical_id():
    result = watchlist_import(file=DATA / "eu_sanctions.csv", source_name="EU", file_format=None)
    found = entries("EU")
    assert (result.entries, sorted(found)) == (2, ["1234", "13"])
    saddam = found["13"]
    assert (saddam.name, saddam.entity_type, saddam.aliases) == ("Saddam Hussein Al-Tikriti", "person", ["Abu Ali"])
    assert (saddam.birth_dates, saddam.country, saddam.identifiers, saddam.program) == (
        ["1937-04-28"], "IQ", ["N0123456"], "IRQ"
    )
    company = found["1234"]
    assert (company.name, company.entity_type, company.aliases, company.country) == (
        "Syrian Petroleum Company", "company", ["SPC"], "SY"
    )
    assert WatchlistSource.objects.get(name="EU").format == SourceFormat.EU


def test_eu_a_row_of_another_width_names_its_line():
    text = (DATA / "eu_sanctions.csv").read_text().splitlines(keepends=True)
    text[4] = "28/10/2022;13;EU.27.28\n"
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=io.BytesIO("".join(text).encode()), source_name="EU", file_format=SourceFormat.EU)
    assert failure.value.display == "Line 5: expected 21 fields, found 3."
    assert not WatchlistEntry.objects.exists()


# --- OpenSanctions FollowTheMoney -------------------------------------------------------------------


def test_ftm_json_lines_keep_parties_with_their_properties():
    result = watchlist_import(file=DATA / "entities.ftm.json", source_name="OpenSanctions", file_format=None)
    found = entries("OpenSanctions")
    assert (result.entries, sorted(found)) == (2, ["NK-ABC", "NK-DEF"])  # no vessel, no sanction record
    person = found["NK-ABC"]
    assert (person.name, person.entity_type, person.aliases, person.weak_aliases) == (
        "Ri Song Chol", "person", ["Ri Songchol"], ["Song"]
    )
    assert (person.birth_dates, person.country, person.identifiers, person.program) == (
        ["1965-02-01"], "KP", ["654321"], "UN SC 1718"
    )
    company = found["NK-DEF"]
    assert (company.aliases, company.country, company.identifiers, company.program) == (
        ["Ryonbong"], "KP", ["REG-77"], "eu_fsf; us_ofac_sdn"
    )
    assert WatchlistSource.objects.get(name="OpenSanctions").format == SourceFormat.FTM


def test_ftm_a_line_that_is_not_json_is_named_and_nothing_changes():
    watchlist_import(file=DATA / "entities.ftm.json", source_name="OpenSanctions", file_format=SourceFormat.FTM)
    lines = (DATA / "entities.ftm.json").read_text().splitlines(keepends=True)
    lines.insert(1, '{"id": "NK-X", "schema": "Person", "properties": {"name": ["Broken"]\n')
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=io.BytesIO("".join(lines).encode()), source_name="OpenSanctions",
                         file_format=SourceFormat.FTM)
    assert failure.value.line == 2
    assert failure.value.display.startswith("Line 2: this line is not JSON (")
    assert sorted(entries("OpenSanctions")) == ["NK-ABC", "NK-DEF"]


# --- Detection and the command ---------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("ofac/sdn.csv", SourceFormat.OFAC), ("UN_consolidated.xml", SourceFormat.UN),
    ("uk_conlist.csv", SourceFormat.UK), ("eu_sanctions.csv", SourceFormat.EU),
    ("entities.ftm.json", SourceFormat.FTM),
])
def test_formats_are_detected(name, expected):
    with formats.open_inputs(DATA / name) as (members, _size):
        assert formats.detect_format(members) == expected


def test_command_imports_an_ofac_folder(capsys):
    call_command("import_watchlist", str(DATA / "ofac"), "--source", "OFAC SDN", "--format", "ofac")
    assert "OFAC SDN: 4 entries" in capsys.readouterr().out
    assert sorted(entries("OFAC SDN")) == ["2676", "306", "36", "4106"]


def test_command_takes_several_files_and_detects_their_format(capsys):
    paths = [str(DATA / "ofac" / name) for name in ("sdn.csv", "alt.csv", "add.csv")]
    call_command("import_watchlist", *paths, "--source", "OFAC SDN")
    assert entries("OFAC SDN")["306"].aliases == ["NATIONAL BANK OF CUBA"]


def test_command_refuses_a_malformed_file_naming_the_element(tmp_path):
    broken = tmp_path / "un.xml"
    broken.write_text((DATA / "UN_consolidated.xml").read_text().replace("<FIRST_NAME>ADF</FIRST_NAME>", ""))
    with pytest.raises(CommandError) as failure:
        call_command("import_watchlist", str(broken), "--source", "UN", "--format", "un")
    assert "ENTITY 1 (CDe.001) has no name (FIRST_NAME)." in str(failure.value)
    assert "The previous list of “UN” stays in force." in str(failure.value)


# --- The import page ---------------------------------------------------------------------------


def _zip_of_ofac() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name in ("sdn.csv", "alt.csv", "add.csv"):
            zipped.write(DATA / "ofac" / name, name.upper())
    return archive.getvalue()


def test_the_import_page_takes_a_zip_of_the_ofac_files(risk_manager, client, django_capture_on_commit_callbacks):
    client.force_login(risk_manager)
    upload = SimpleUploadedFile("sdn.zip", _zip_of_ofac(), content_type="application/zip")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("watchlists:import"), {"source": "OFAC SDN", "file_format": "ofac",
                                                              "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.status, job.entries, job.error_code) == (ImportState.DONE, 4, "")
    assert entries("OFAC SDN")["306"].aliases == ["NATIONAL BANK OF CUBA"]


def test_the_import_page_shows_the_element_of_a_bad_un_file(risk_manager, client, django_capture_on_commit_callbacks):
    client.force_login(risk_manager)
    text = (DATA / "UN_consolidated.xml").read_text().replace("<FIRST_NAME>ADF</FIRST_NAME>", "")
    upload = SimpleUploadedFile("un.xml", text.encode(), content_type="application/xml")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("watchlists:import"), {"source": "UN", "file_format": "un", "file": upload})
    job = ImportJob.objects.get()
    body = client.get(reverse("watchlists:import_job", args=[job.pk])).content.decode()
    assert "ENTITY 1 (CDe.001) has no name (FIRST_NAME)." in body
    assert not WatchlistEntry.objects.exists()


def test_an_unknown_layout_is_refused_naming_the_formats_and_nothing_is_stored():
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=io.BytesIO(b"number,title\n1,Acme\n"), source_name="X", file_format=None)
    assert failure.value.display == formats.UNKNOWN_FORMAT
    assert failure.value.display.startswith("The format of the file cannot be told from its contents: it is none of "
                                            "OFAC SDN (SDN.XML, or SDN.CSV with ALT.CSV and ADD.CSV), the UN ")
    assert not WatchlistSource.objects.filter(name="X").exists()
