"""Re-imports by their difference: what was added, removed and changed; only the parties the
difference can touch are screened again; scheduled refreshes, and a failed one that keeps the list."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from onboarding.enums import State
from onboarding.models import Customer
from tests.factories import ApplicationFactory, advance
from tests.watchlists.conftest import HEADER, import_list
from watchlists import services
from watchlists.models import ListChange, ScreeningRun, WatchlistEntry, WatchlistSource
from watchlists.services import screen_application, source_refresh, sources_due, watchlist_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, risk_manager):
    client.force_login(risk_manager)
    return client

FIRST = (
    "C-1,宏远重工有限公司,,CN,TEST,company",
    "C-2,Acme Trading LLC,,US,SDN,company",
    "P-1,John Smith,,GB,UK,person",
    "C-3,Old Shipping Co,,PA,SDN,company",
)


def _runs(**party) -> int:
    return ScreeningRun.objects.filter(**party).count()


def test_the_first_import_adds_everything():
    result = import_list(*FIRST, source="Sanctions")
    change = result.change
    assert (change.first_import, change.added, change.removed, change.changed, change.entry_ids) == (
        True, 4, 0, 0, None
    )


def test_a_reimport_records_what_was_added_removed_and_changed():
    import_list(*FIRST, source="Sanctions")
    result = import_list(
        "C-1,宏远重工有限公司,,CN,TEST,company",  # unchanged
        "C-2,Acme Trading LLC,Acme Trade,US,SDN,company",  # an alias more: changed
        "P-1,John Smith,,GB,UK,person",  # unchanged
        "C-4,New Metals Ltd,,RU,EU,company",  # added; C-3 removed
        source="Sanctions",
    )
    change = ListChange.objects.get(pk=result.change.pk)
    assert (change.first_import, change.added, change.removed, change.changed) == (False, 1, 1, 1)
    assert change.examples == {"added": ["C-4"], "removed": ["C-3"], "changed": ["C-2"]}
    new = {entry.external_id: entry.pk for entry in WatchlistEntry.objects.all()}
    assert sorted(change.entry_ids) == sorted([new["C-2"], new["C-4"]])
    assert sorted(new) == ["C-1", "C-2", "C-4", "P-1"]  # the previous entries are gone


def test_an_unchanged_reimport_screens_nobody(sales, reviewer, django_capture_on_commit_callbacks):
    import_list(*FIRST, source="Sanctions")
    application = advance(ApplicationFactory(created_by=sales, legal_name_zh="宏远重工有限公司"),
                          State.BACKGROUND_CHECK, reviewer=reviewer)
    screen_application(application_id=application.pk)
    with django_capture_on_commit_callbacks(execute=True):
        result = import_list(*FIRST, source="Sanctions")
    change = ListChange.objects.get(pk=result.change.pk)
    assert (change.added, change.removed, change.changed, change.entry_ids) == (0, 0, 0, [])
    assert (change.applications_rescreened, change.customers_rescreened) == (0, 0)
    assert _runs(application=application) == 1


def test_a_change_rescreens_only_the_parties_it_can_match(sales, reviewer, django_capture_on_commit_callbacks):
    import_list(*FIRST, source="Sanctions")
    touched = advance(ApplicationFactory(created_by=sales, legal_name_zh="宏远重工有限公司",
                                         legal_name_en="Hongyuan Heavy", legal_representative="张三"),
                      State.BACKGROUND_CHECK, reviewer=reviewer)
    other = advance(ApplicationFactory(created_by=sales, legal_name_zh="华南纺织有限公司",
                                       legal_name_en="South China Textiles", legal_representative="李四"),
                    State.BACKGROUND_CHECK, reviewer=reviewer)
    customer = Customer.objects.create(name="Acme Trading LLC", credit_code="91310000MA1FL8X777",
                                       customer_type="sme", sales_owner=sales)
    quiet = Customer.objects.create(name="Blue Sky Logistics", credit_code="91310000MA1FL8X888",
                                    customer_type="sme", sales_owner=sales)
    for application in (touched, other):
        screen_application(application_id=application.pk)
    with django_capture_on_commit_callbacks(execute=True):
        result = import_list(
            "C-1,宏远重工有限公司,Hongyuan Heavy Industry,CN,TEST,company",  # changed: matches `touched`
            "C-2,Acme Trading LLC,,US,SDN-2,company",  # changed: matches `customer`
            "P-1,John Smith,,GB,UK,person",
            "C-3,Old Shipping Co,,PA,SDN,company",
            source="Sanctions",
        )
    change = ListChange.objects.get(pk=result.change.pk)
    assert (change.changed, change.applications_rescreened, change.customers_rescreened) == (2, 1, 1)
    assert (_runs(application=touched), _runs(application=other)) == (2, 1)
    assert (_runs(customer=customer), _runs(customer=quiet)) == (1, 0)
    assert services.subjects_touched(change.entry_ids) == ([touched.pk], [customer.pk])


def test_the_source_page_shows_the_difference(manager_client):
    import_list(*FIRST, source="Sanctions")
    import_list(*FIRST[:3], "C-9,Brand New Co,,CN,X,company", source="Sanctions")
    source = WatchlistSource.objects.get(name="Sanctions")
    body = manager_client.get(reverse("watchlists:source_detail", args=[source.pk])).content.decode()
    assert "+C-9" in body and "−C-3" in body
    assert "first import: everybody" in body


def _refreshing(tmp_path: Path, text: str) -> WatchlistSource:
    path = tmp_path / "list.csv"
    path.write_text(HEADER + text)
    import_list(*FIRST, source="Sanctions")
    source = WatchlistSource.objects.get(name="Sanctions")
    source.refresh_location, source.refresh_format, source.refresh_hours = str(path), "csv", 24
    source.save()
    return source


def test_a_scheduled_refresh_imports_the_configured_file(tmp_path):
    source = _refreshing(tmp_path, "".join(f"{line}\n" for line in FIRST[:3]))
    assert sources_due() == [source.pk]
    change = source_refresh(source_id=source.pk)
    assert (change.refresh, change.removed, change.error) == (True, 1, "")
    assert sources_due() == []  # refreshed within the interval
    assert sources_due(now=timezone.now() + timedelta(hours=25)) == [source.pk]
    assert WatchlistEntry.objects.count() == 3


def test_a_failed_refresh_keeps_the_previous_list_and_shows_the_error(tmp_path, manager_client):
    source = _refreshing(tmp_path, "C-1,宏远重工有限公司,,CN,TEST,company\nC-2,Acme,,US,SDN,vessel\n")
    before = sorted(WatchlistEntry.objects.values_list("external_id", flat=True))
    change = source_refresh(source_id=source.pk)
    assert change.error == (
        "Line 3: entity_type must be “company” or “person”, not “vessel”. The previous list stays in force."
    )
    assert sorted(WatchlistEntry.objects.values_list("external_id", flat=True)) == before
    source.refresh_from_db()
    assert (source.refresh_error, source.entry_count) == (change.error, 4)
    body = manager_client.get(reverse("watchlists:source_detail", args=[source.pk])).content.decode()
    assert 'data-testid="refresh-error"' in body and "not “vessel”" in body


def test_a_refresh_from_a_missing_file_is_an_error_too(tmp_path):
    source = _refreshing(tmp_path, "")
    source.refresh_location = str(tmp_path / "gone.csv")
    source.save()
    with pytest.raises(CommandError):
        call_command("refresh_watchlists", "--source", "Sanctions")
    source.refresh_from_db()
    assert "cannot be read" in source.refresh_error
    assert WatchlistEntry.objects.count() == 4


def test_refresh_command_reports_the_difference(tmp_path, capsys):
    _refreshing(tmp_path, "".join(f"{line}\n" for line in FIRST))
    call_command("refresh_watchlists")
    assert "Sanctions: 0 added, 0 removed, 0 changed." in capsys.readouterr().out


def test_an_official_list_reimported_unchanged_has_no_difference():
    data = Path(__file__).parent / "data" / "ofac"
    watchlist_import(file=data, source_name="OFAC", file_format="ofac")
    change = watchlist_import(file=data, source_name="OFAC", file_format="ofac").change
    assert (change.added, change.removed, change.changed) == (0, 0, 0)


def test_a_risk_manager_sets_the_refresh_on_the_source_page(manager_client):
    import_list(*FIRST, source="Sanctions")
    source = WatchlistSource.objects.get(name="Sanctions")
    url = reverse("watchlists:source_refresh_settings", args=[source.pk])
    refused = manager_client.post(url, {"refresh_location": "lists/sdn.csv", "refresh_hours": "24"})
    assert refused.status_code == 400
    assert "Give an absolute path on the server or an http(s) URL." in refused.content.decode()
    response = manager_client.post(url, {"refresh_location": "https://example.org/sdn.zip",
                                         "refresh_format": "ofac", "refresh_hours": "24"})
    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.refresh_location, source.refresh_format, source.refresh_hours) == (
        "https://example.org/sdn.zip", "ofac", 24
    )


def test_an_investigator_may_not_set_the_refresh(client, investigator):
    import_list(*FIRST, source="Sanctions")
    source = WatchlistSource.objects.get(name="Sanctions")
    client.force_login(investigator)
    response = client.post(reverse("watchlists:source_refresh_settings", args=[source.pk]),
                           {"refresh_location": "/tmp/x.csv", "refresh_hours": "1"})
    assert response.status_code == 403
    assert WatchlistSource.objects.get(pk=source.pk).refresh_location == ""
