"""The import page: the file is stored and imported by a Celery task; its page shows the
progress (HTMX polling), then the result or the error in the reader's language."""

import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.factories import user_with
from tests.watchlists.conftest import HEADER, import_list
from watchlists.enums import ImportState
from watchlists.models import ImportJob, WatchlistEntry, WatchlistSource
from watchlists.services import import_job_create
from watchlists.tasks import run_import_job

pytestmark = pytest.mark.django_db
GOOD = HEADER + "A-1,Acme Trading,,US,SDN,company\nA-2,Beta Trading,,US,SDN,company\n"
BAD = HEADER + "A-1,Acme Trading,,US,SDN,company\nA-2,Bad,,US,SDN,robot\n"


def _upload(text: str, name: str = "list.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _post(client, text: str, source: str = "OFAC"):
    return client.post(reverse("watchlists:import"), {"source": source, "file_format": "csv", "file": _upload(text)})


def _stored_files() -> list[Path]:
    return [p for p in Path(django_settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def _queued_job(actor, text: str = GOOD) -> ImportJob:
    """A job whose task has not run (nothing executes the on-commit callbacks here)."""
    return import_job_create(upload=_upload(text), source_name="OFAC", file_format="csv", actor=actor)


def test_import_page_queues_a_job_that_imports_and_says_so(risk_manager, client, django_capture_on_commit_callbacks):
    client.force_login(risk_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, GOOD)
    job = ImportJob.objects.get()
    assert (response.status_code, response["Location"]) == (302, reverse("watchlists:import_job", args=[job.pk]))
    assert (job.status, job.entries, job.original_name, job.created_by, job.size) == (
        ImportState.DONE, 2, "list.csv", risk_manager, len(GOOD.encode()),
    )
    source = WatchlistSource.objects.get()
    assert (source.name, source.entry_count, source.file_name, source.imported_by) == ("OFAC", 2, "list.csv",
                                                                                       risk_manager)
    assert job.source == source
    body = client.get(response["Location"]).content.decode()
    assert "Done: 2 entries imported into OFAC." in body
    assert "hx-trigger" not in body  # finished: the page stops asking
    assert _stored_files() == []  # the upload is removed once imported


def test_failed_import_names_the_line_keeps_the_old_list(risk_manager, client, django_capture_on_commit_callbacks):
    import_list("OLD-1,Old Name,,,,company", source="OFAC")
    client.force_login(risk_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, BAD)
    job = ImportJob.objects.get()
    assert (job.status, job.error_line, job.entries) == (ImportState.FAILED, 3, 0)
    body = client.get(response["Location"]).content.decode()
    assert ("The import failed. Line 3: entity_type must be “company” or “person”, not “robot”. Nothing was "
            "changed: the previous list stays in force.") in body
    assert list(WatchlistEntry.objects.values_list("external_id", flat=True)) == ["OLD-1"]
    assert WatchlistSource.objects.get().entry_count == 1
    assert _stored_files() == []


def test_failed_import_is_shown_in_the_readers_language(risk_manager, client, django_capture_on_commit_callbacks):
    client.force_login(risk_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, BAD)  # uploaded in English
    reader = user_with(Role.RISK_MANAGER, username="lin")
    reader.language = "zh-hans"
    reader.save(update_fields=["language"])
    client.force_login(reader)
    body = client.get(response["Location"]).content.decode()
    assert "导入失败。第 3 行：entity_type 必须为“company”或“person”，而不是“robot”。" in body


def test_bad_header_is_refused_on_the_form_and_nothing_is_stored(risk_manager, client):
    client.force_login(risk_manager)
    response = _post(client, "id,name\nA-1,Acme\n")
    assert response.status_code == 400
    assert "Line 1: The header lacks the column(s) aliases, country, program, entity_type" in response.content.decode()
    assert (ImportJob.objects.count(), _stored_files()) == (0, [])


def test_import_page_refuses_a_file_over_the_limit(risk_manager, client, settings):
    settings.WATCHLIST_UPLOAD_MAX_MB = 1
    client.force_login(risk_manager)
    response = _post(client, HEADER + "x" * (1024 * 1024 + 1), source="Big")
    assert response.status_code == 400
    assert "The file is larger than 1 MB: import it with the command import_watchlist." in response.content.decode()
    assert (WatchlistSource.objects.count(), ImportJob.objects.count()) == (0, 0)


def test_queued_job_page_polls_every_two_seconds(risk_manager, client):
    job = _queued_job(risk_manager)
    assert len(_stored_files()) == 1 and "watchlist-imports" in str(_stored_files()[0])
    client.force_login(risk_manager)
    body = client.get(reverse("watchlists:import_job", args=[job.pk])).content.decode()
    assert "Waiting for a worker to start the import…" in body
    assert f'hx-get="{reverse("watchlists:import_job", args=[job.pk])}" hx-trigger="every 2s"' in body
    assert 'class="progress-bar progress-bar-striped progress-bar-animated import-progress-0"' in body
    assert "style=" not in body.split('id="import-job-status"')[1]  # CSP: no inline style


def test_running_job_status_part_shows_the_progress(risk_manager, client):
    job = _queued_job(risk_manager)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportState.RUNNING, started_at=timezone.now(), size=10_000)
    job.progress_path.write_text(json.dumps({"entries": 1234, "bytes_read": 4_300}))
    client.force_login(risk_manager)
    response = client.get(reverse("watchlists:import_job", args=[job.pk]), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.startswith('<div id="import-job-status"')  # only the part HTMX swaps
    assert "Importing: 1,234 entries read, 43 % of the file." in body
    assert 'aria-valuenow="43"' in body and "import-progress-40" in body
    assert 'hx-trigger="every 2s"' in body


def test_task_run_twice_imports_once(risk_manager):
    job = _queued_job(risk_manager)
    assert run_import_job(job_id=job.pk) == ImportState.DONE
    imported_at = WatchlistSource.objects.get().imported_at
    assert run_import_job(job_id=job.pk) == ImportState.DONE
    assert WatchlistSource.objects.get().imported_at == imported_at


def test_task_leaves_a_running_job_alone_but_takes_over_a_stale_one(risk_manager):
    job = _queued_job(risk_manager)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportState.RUNNING, started_at=timezone.now())
    assert run_import_job(job_id=job.pk) == ImportState.RUNNING
    assert not WatchlistSource.objects.exists()
    long_ago = timezone.now() - timezone.timedelta(hours=2)
    ImportJob.objects.filter(pk=job.pk).update(started_at=long_ago)
    assert run_import_job(job_id=job.pk) == ImportState.DONE
    assert WatchlistSource.objects.get().entry_count == 2


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.SALES])
def test_import_and_job_pages_refused_to_wrong_role(client, role, risk_manager):
    job = _queued_job(risk_manager)
    client.force_login(user_with(role))
    assert client.get(reverse("watchlists:import")).status_code == 403
    assert _post(client, GOOD, source="X").status_code == 403
    assert client.get(reverse("watchlists:import_job", args=[job.pk])).status_code == 403
    assert ImportJob.objects.count() == 1


def test_job_page_sends_anonymous_to_login(client, risk_manager):
    job = _queued_job(risk_manager)
    response = client.get(reverse("watchlists:import_job", args=[job.pk]))
    assert (response.status_code, response["Location"].startswith(reverse("login"))) == (302, True)


def test_unknown_job_is_404(client, risk_manager):
    client.force_login(risk_manager)
    assert client.get(reverse("watchlists:import_job", args=[999_999])).status_code == 404


def test_import_page_lists_recent_imports_with_the_same_queries_for_1_and_3(risk_manager, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(risk_manager)
    first = _queued_job(risk_manager)
    with CaptureQueriesContext(connection) as one:
        body = client.get(reverse("watchlists:import")).content.decode()
    assert f'href="{reverse("watchlists:import_job", args=[first.pk])}">OFAC</a>' in body and "Queued" in body
    _queued_job(user_with(Role.RISK_MANAGER, username="rick"))
    _queued_job(user_with(Role.ADMIN, username="ada"))
    with CaptureQueriesContext(connection) as three:
        body = client.get(reverse("watchlists:import")).content.decode()
    assert body.count('href="/watchlists/imports/') == 3
    assert len(one) == len(three)


def test_running_job_in_chinese(risk_manager, client):
    job = _queued_job(risk_manager)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportState.RUNNING, started_at=timezone.now(), size=1_000)
    job.progress_path.write_text(json.dumps({"entries": 7, "bytes_read": 500}))
    risk_manager.language = "zh-hans"
    risk_manager.save(update_fields=["language"])
    client.force_login(risk_manager)
    body = client.get(reverse("watchlists:import_job", args=[job.pk])).content.decode()
    assert "正在导入：已读取 7 条条目，文件的 50 %。" in body
