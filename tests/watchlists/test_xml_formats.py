"""OFAC's SDN.XML and the EU's XML, the format told from the contents, countries as ISO codes.

The fixtures (tests/watchlists/data/, see README.md there) are excerpts of the publishers'
files as quoted in public repositories, with a few entries written in the same layout from
the OFAC CSV sample; each entry says where it comes from.
"""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from tests.watchlists.conftest import import_list
from watchlists import countries, formats, services
from watchlists.enums import ImportState, SourceFormat
from watchlists.importing import ImportFailed
from watchlists.models import ImportJob, WatchlistEntry, WatchlistSource
from watchlists.services import watchlist_import

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
OFAC_XML = DATA / "ofac_sdn.xml"
EU_XML = DATA / "eu_sanctions.xml"


def entries(source: str) -> dict[str, WatchlistEntry]:
    return {entry.external_id: entry for entry in WatchlistEntry.objects.filter(source__name=source)}


def fields(entry: WatchlistEntry) -> tuple:
    return (entry.name, entry.entity_type, entry.aliases, entry.weak_aliases, entry.identifiers, entry.country,
            entry.program, entry.birth_dates)


# --- OFAC SDN.XML -------------------------------------------------------------------------------------


def test_ofac_xml_keeps_uid_aliases_with_quality_identifiers_countries_programmes_and_birth_dates():
    result = watchlist_import(file=OFAC_XML, source_name="OFAC SDN", file_format=SourceFormat.OFAC)
    found = entries("OFAC SDN")
    # The vessel HERMANN (uid 4234) is not a party an application can name.
    assert (result.entries, sorted(found)) == (5, ["10", "15", "26235", "306", "36"])
    assert fields(found["10"]) == (
        "ABASTECEDORA NAVAL Y INDUSTRIAL, S.A.", "company", ["ANAINSA"], [], [], "PA", "CUBA", [])
    assert fields(found["15"]) == ("ABDELNUR, Nury de Jesus", "person", [], [], [], "PA", "CUBA", [])
    # The passport and the national id are identifiers; "Gender: Male" is not.
    assert fields(found["26235"]) == (
        "MALKEVICH, Alexander Aleksandrovich", "person", [], [], ["717637093", "781005202108"], "RU", "CYBER2",
        ["14 Jun 1975"])
    # category "weak" is a weak alias; "Switzerland", "Spain" are ISO codes.
    assert fields(found["306"]) == (
        "BANCO NACIONAL DE CUBA", "company", ["NATIONAL BANK OF CUBA"], ["BNC"], [], "CH;ES", "CUBA", [])
    assert WatchlistSource.objects.get(name="OFAC SDN").format == SourceFormat.OFAC


def test_ofac_xml_and_csv_give_one_entry_the_same_id_and_names():
    watchlist_import(file=OFAC_XML, source_name="From XML", file_format=SourceFormat.OFAC)
    watchlist_import(file=DATA / "ofac", source_name="From CSV", file_format=SourceFormat.OFAC)
    xml, csv = entries("From XML"), entries("From CSV")
    for uid in ("36", "306"):
        assert (xml[uid].name, xml[uid].aliases, xml[uid].weak_aliases, xml[uid].program) == (
            csv[uid].name, csv[uid].aliases, csv[uid].weak_aliases, csv[uid].program)


def test_ofac_xml_syntax_error_names_the_line_and_changes_nothing():
    import_list("X-1,Acme Trading,,US,SDN,company", source="OFAC SDN")
    text = OFAC_XML.read_text().replace("<lastName>AEROCARIBBEAN AIRLINES</lastName>",
                                        "<lastName>AEROCARIBBEAN AIRLINES</lastNam>")
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=io.BytesIO(text.encode()), source_name="OFAC SDN", file_format=SourceFormat.OFAC)
    assert failure.value.line == 48
    assert failure.value.display.startswith("Line 48: the XML is malformed (mismatched tag: line 48, column")
    assert sorted(entries("OFAC SDN")) == ["X-1"]


def test_ofac_xml_bad_entry_names_its_element_and_line_and_changes_nothing():
    import_list("X-1,Acme Trading,,US,SDN,company", source="OFAC SDN")
    text = OFAC_XML.read_text().replace("<sdnType>Individual</sdnType>\n    <remarks>",
                                        "<sdnType>Ship</sdnType>\n    <remarks>")
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=io.BytesIO(text.encode()), source_name="OFAC SDN", file_format=None)
    assert failure.value.display == ("Line 69: sdnEntry 4 (uid 26235): the sdnType must be Individual, Entity, "
                                     "Vessel or Aircraft, not “ship”.")
    assert sorted(entries("OFAC SDN")) == ["X-1"]


def test_ofac_xml_entry_without_name_is_refused():
    text = OFAC_XML.read_text().replace("<lastName>ABDELNUR</lastName>", "").replace(
        "<firstName>Nury de Jesus</firstName>", "")
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=io.BytesIO(text.encode()), source_name="OFAC SDN", file_format=SourceFormat.OFAC)
    assert failure.value.display == "Line 30: sdnEntry 2 (uid 15) has no name (lastName)."
    assert not WatchlistEntry.objects.exists()


def test_ofac_advanced_xml_is_refused_with_what_to_give_instead():
    text = ('<?xml version="1.0" encoding="utf-8"?>\n<Sanctions xmlns="https://sanctionslistservice.ofac.treas.gov/'
            'api/PublicationPreview/exports/ADVANCED_XML">\n<DateOfIssue/>\n</Sanctions>\n')
    with formats.open_inputs(io.BytesIO(text.encode())) as (members, _size):
        assert formats.detect_format(members) == SourceFormat.OFAC
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=io.BytesIO(text.encode()), source_name="OFAC SDN", file_format=None)
    assert failure.value.display == ("Line 2: This is OFAC's advanced XML (SDN_ADVANCED.XML), which is not read: "
                                     "give SDN.XML, or SDN.CSV with ALT.CSV and ADD.CSV.")


def test_ofac_xml_in_a_zip_is_found_by_its_name():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(OFAC_XML, "SDN.XML")
    archive.seek(0)
    result = watchlist_import(file=archive, source_name="OFAC SDN", file_format=None)
    assert result.entries == 5


# --- EU financial sanctions XML -------------------------------------------------------------------------


def test_eu_xml_keeps_logical_id_name_forms_with_strength_identifiers_citizenship_programme_and_birth_date():
    result = watchlist_import(file=EU_XML, source_name="EU", file_format=SourceFormat.EU)
    found = entries("EU")
    assert (result.entries, sorted(found)) == (3, ["1", "13", "207"])
    # countryIso2Code "00" (unknown) is no country.
    assert fields(found["1"]) == (
        "Robert Gabriel Mugabe", "person", [], [], ["AD001095"], "", "ZWE", ["1924-02-21"])
    assert fields(found["207"]) == (
        "İslami Büyük Doğu Akıncılar Cephesi", "company",
        ["Great Islamic Eastern Warriors Front", "Фронт на великите ислямски източни воини",
         "Front der islamischen Kämpfer des Großen Ostens", "IBDA-C"], [], [], "", "TERR", [])
    # strong="false" is a weak alias; the citizenship and the address give IQ once.
    assert fields(found["13"]) == (
        "Saddam Hussein Al-Tikriti", "person", [], ["Abu Ali"], [], "IQ", "IRQ", ["1937-04-28"])
    assert WatchlistSource.objects.get(name="EU").format == SourceFormat.EU


def test_eu_xml_syntax_error_names_the_line_and_changes_nothing():
    import_list("X-1,Acme Trading,,US,SDN,company", source="EU")
    text = EU_XML.read_text().replace('<subjectType code="enterprise" classificationCode="E"/>',
                                      '<subjectType code="enterprise" classificationCode="E">')
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=io.BytesIO(text.encode()), source_name="EU", file_format=SourceFormat.EU)
    # The element left open is closed by </sanctionEntity>, the line the parser names.
    assert failure.value.display == "Line 43: the XML is malformed (mismatched tag: line 43, column 6)."
    assert sorted(entries("EU")) == ["X-1"]


def test_eu_xml_entity_of_unknown_subject_type_names_its_element_and_line():
    import_list("X-1,Acme Trading,,US,SDN,company", source="EU")
    text = EU_XML.read_text().replace('<subjectType code="person" classificationCode="P"/>\n        <nameAlias '
                                      'firstName="Saddam"', '<subjectType code="vessel" classificationCode="V"/>\n'
                                      '        <nameAlias firstName="Saddam"')
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=io.BytesIO(text.encode()), source_name="EU", file_format=None)
    assert failure.value.display == ("Line 47: sanctionEntity 3 (logicalId 13): the subjectType must be person or "
                                     "enterprise, not “vessel”.")
    assert sorted(entries("EU")) == ["X-1"]


def test_eu_xml_entity_without_logical_id_is_refused():
    text = EU_XML.read_text().replace('euReferenceNumber="EU.3523.13" logicalId="207"', 'euReferenceNumber="x"')
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=io.BytesIO(text.encode()), source_name="EU", file_format=SourceFormat.EU)
    assert failure.value.display == "Line 23: sanctionEntity 2 has no logicalId."


def test_another_xml_given_as_eu_names_its_root_element():
    with pytest.raises(ImportFailed) as failure:
        watchlist_import(file=OFAC_XML, source_name="EU", file_format=SourceFormat.EU)
    assert failure.value.display == ("Line 2: This is not the expected list: its root element is “sdnList”, "
                                     "not export.")


# --- Telling the format from the contents ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("ofac_sdn.xml", SourceFormat.OFAC), ("ofac/sdn.csv", SourceFormat.OFAC), ("ofac", SourceFormat.OFAC),
    ("UN_consolidated.xml", SourceFormat.UN), ("eu_sanctions.xml", SourceFormat.EU),
    ("eu_sanctions.csv", SourceFormat.EU), ("uk_conlist.csv", SourceFormat.UK),
    ("entities.ftm.json", SourceFormat.FTM),
])
def test_each_format_is_told_from_its_file(name, expected):
    with formats.open_inputs(DATA / name) as (members, _size):
        assert formats.detect_format(members) == expected


@pytest.mark.parametrize(("text", "expected"), [
    (b"id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,dataset\n",
     SourceFormat.OPENSANCTIONS),
    (b"\xef\xbb\xbfid,name,aliases,country,program,entity_type\n", SourceFormat.CSV),
    # A comment and a DOCTYPE before the root element, the root with a namespace prefix.
    (b'<?xml version="1.0"?>\n<!-- EU --><!DOCTYPE export>\n<fsd:export xmlns:fsd="http://eu.europa.ec/fpi/fsd/'
     b'export">', SourceFormat.EU),
    (b"<rss><channel/></rss>", None),
    (b"number,title\n1,Acme\n", None),
    (b"", None),
])
def test_contents_that_match_a_format_or_none(text, expected):
    with formats.open_inputs(io.BytesIO(text)) as (members, _size):
        assert formats.detect_format(members) == expected


def test_command_tells_the_format_by_default(capsys):
    call_command("import_watchlist", str(EU_XML), "--source", "EU")
    assert "EU: 3 entries" in capsys.readouterr().out
    assert WatchlistSource.objects.get(name="EU").format == SourceFormat.EU


def test_command_refuses_a_file_of_no_known_format_naming_the_formats(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("number,title\n1,Acme\n")
    with pytest.raises(CommandError) as failure:
        call_command("import_watchlist", str(path), "--source", "X", "--format", "auto")
    assert "it is none of OFAC SDN (SDN.XML, or SDN.CSV with ALT.CSV and ADD.CSV), the UN consolidated list" in str(
        failure.value)
    assert not WatchlistSource.objects.exists()


def test_command_explicit_format_still_wins(tmp_path):
    with pytest.raises(CommandError) as failure:
        call_command("import_watchlist", str(OFAC_XML), "--source", "UN", "--format", "un")
    assert "Line 2: This is not the expected list: its root element is “sdnList”, not CONSOLIDATED_LIST." in str(
        failure.value)


# --- The import page --------------------------------------------------------------------------------------


def test_import_page_offers_auto_first_and_chosen(risk_manager, client):
    client.force_login(risk_manager)
    body = client.get(reverse("watchlists:import")).content.decode()
    assert body.index('<option value="auto" selected>') < body.index('<option value="csv">')


def test_import_page_tells_the_format_and_reports_progress(
    risk_manager, client, django_capture_on_commit_callbacks, monkeypatch,
):
    written = []
    original = services._ProgressFile.write

    def write(self, entries: int, bytes_read: int) -> None:
        written.append((entries, bytes_read))
        original(self, entries, bytes_read)

    monkeypatch.setattr(services._ProgressFile, "write", write)
    client.force_login(risk_manager)
    upload = SimpleUploadedFile("SDN.XML", OFAC_XML.read_bytes(), content_type="application/xml")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("watchlists:import"), {"source": "OFAC SDN", "file_format": "auto",
                                                              "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert (job.file_format, job.status, job.entries, job.bytes_read) == (
        SourceFormat.OFAC, ImportState.DONE, 5, OFAC_XML.stat().st_size)
    assert written[-1] == (5, OFAC_XML.stat().st_size)
    assert entries("OFAC SDN")["306"].weak_aliases == ["BNC"]


def test_import_page_refuses_a_file_of_no_known_format(risk_manager, client):
    client.force_login(risk_manager)
    upload = SimpleUploadedFile("list.csv", b"number,title\n1,Acme\n", content_type="text/csv")
    response = client.post(reverse("watchlists:import"), {"source": "X", "file_format": "auto", "file": upload})
    assert response.status_code == 400
    assert "The format of the file cannot be told from its contents" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_import_page_with_a_chosen_format_reads_the_file_as_that(
    risk_manager, client, django_capture_on_commit_callbacks,
):
    client.force_login(risk_manager)
    upload = SimpleUploadedFile("eu.xml", EU_XML.read_bytes(), content_type="application/xml")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("watchlists:import"), {"source": "UN", "file_format": "un", "file": upload})
    job = ImportJob.objects.get()
    assert (job.file_format, job.status, job.error_line) == (SourceFormat.UN, ImportState.FAILED, 2)
    assert job.error_params == {"element": "export", "expected": "CONSOLIDATED_LIST"}
    assert not WatchlistEntry.objects.exists()


# --- Countries --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("values", "expected"), [
    (["Russia", "Iran (Islamic Republic of)", "Korea, North", "IRN"], ["RU", "IR", "KP"]),
    (["Burma", "Cote d Ivoire", "Congo, Democratic Republic of the", "Bahamas, The", "Turkey"],
     ["MM", "CI", "CD", "BS", "TR"]),
    (["Venezuela (Bolivarian Republic of)", "China, Hong Kong Special Administrative Region", "ru", "XK"],
     ["VE", "HK", "RU", "XK"]),
    (["(1) Syria (2) Lebanon"], ["SY", "LB"]),
    (["Region: Crimea", "undetermined", "00", ""], ["Region: Crimea", "undetermined"]),
])
def test_country_names_of_the_lists_become_iso_codes(values, expected):
    assert countries.iso_codes(values) == expected


def test_country_codes_are_shown_by_name_in_the_readers_language():
    with translation.override("zh-hans"):
        assert (countries.country_name("CU"), countries.country_name("RU")) == ("古巴", "俄罗斯")
    with translation.override("en"):
        assert (countries.country_name("CU"), countries.country_name("KP")) == ("Cuba", "North Korea")
    assert countries.country_name("Region: Crimea") == "Region: Crimea"


def test_search_page_shows_the_countries_by_name_in_the_readers_language(risk_manager, client):
    watchlist_import(file=OFAC_XML, source_name="OFAC SDN", file_format=SourceFormat.OFAC)
    client.force_login(risk_manager)
    body = client.get(reverse("watchlists:search"), {"q": "Banco Nacional de Cuba"}).content.decode()
    assert "<td>Switzerland (CH), Spain (ES)</td>" in body
    # The country filter now works for OFAC's entries: their countries are codes.
    body = client.get(reverse("watchlists:search"), {"q": "Banco Nacional de Cuba", "country": "JP"}).content.decode()
    assert "Switzerland (CH)" not in body
    risk_manager.language = "zh-hans"
    risk_manager.save(update_fields=["language"])
    body = client.get(reverse("watchlists:search"), {"q": "Banco Nacional de Cuba"}).content.decode()
    assert "<td>瑞士 (CH), 西班牙 (ES)</td>" in body
