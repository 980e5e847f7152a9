"""The audit trail of an application as people read it (simple-history records, made readable).

Each history record of the application, its documents, financial statements and contacts
becomes an entry: when, who, which record (named once, in words), what was done (a
transition by its label), and each changed field by its label with the old and new values
as the reader knows them — related objects by name, choices by label, yes/no, "empty",
dates formatted — in the reader's language. Filtered by field and by person; the same
rows are downloadable as CSV.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain

from django import forms
from django.db import models
from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from accounts.messages import render_stored
from accounts.validators import CleanTextMixin
from onboarding.models import Application, Contact, Document, FinancialStatement, StateChange
from onboarding.services import TRANSITION_LABELS, TRANSITIONS

# Bookkeeping columns nobody reads as a change.
HIDDEN_FIELDS = {"id", "application", "sha256", "file", "state_entered_at"}
API_PREFIX = re.compile(r"^\[via API client (?P<client>.+?)\]\s*(?P<rest>.*)$", re.S)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MATCH_WINDOW = datetime.timedelta(minutes=1)


@dataclass
class AuditChange:
    field: str  # the field's name (the filter's value)
    label: str
    old: str
    new: str


@dataclass
class AuditEntry:
    when: datetime.datetime
    who: object  # User or None (the system)
    record: str
    action: str
    reason: str = ""
    changes: list[AuditChange] = field(default_factory=list)


def empty_text() -> str:
    return pgettext("audit trail value", "(empty)")


def _records(application: Application) -> list:
    pk = application.pk
    return sorted(
        chain(
            Application.history.filter(id=pk).select_related("history_user"),
            Document.history.filter(application_id=pk).select_related("history_user", "document_type"),
            FinancialStatement.history.filter(application_id=pk).select_related("history_user"),
            Contact.history.filter(application_id=pk).select_related("history_user"),
        ),
        key=lambda record: (record.history_date, record.history_id),
    )


def _record_name(record) -> str:
    """The record column: what the row is about, naming the application at most once (the page names it)."""
    model = record.instance_type
    if model is Application:
        return str(Application._meta.verbose_name).capitalize()
    if model is Document:
        return _("Document: %(type)s, version %(version)s") % {
            "type": record.document_type.name if record.document_type_id else empty_text(), "version": record.version,
        }
    if model is FinancialStatement:
        return _("Financial statement %(year)s") % {"year": record.fiscal_year}
    if model is Contact:
        return _("Contact: %(name)s") % {"name": record.name or empty_text()}
    return str(model._meta.verbose_name).capitalize()


def _action(record) -> str:
    return {
        "+": pgettext("audit trail action", "Created"),
        "~": pgettext("audit trail action", "Changed"),
        "-": pgettext("audit trail action", "Deleted"),
    }.get(record.history_type, record.history_type)


class _Values:
    """Shows stored values in words; related objects are fetched once per model for the page."""

    def __init__(self) -> None:
        self._names: dict[type, dict] = {}

    def prime(self, pairs: list[tuple[models.Field, object]]) -> None:
        wanted: dict[type, set] = {}
        for model_field, value in pairs:
            if model_field.is_relation and value not in (None, ""):
                wanted.setdefault(model_field.related_model, set()).add(value)
        for model, ids in wanted.items():
            self._names.setdefault(model, {}).update(model.objects.in_bulk(list(ids)))

    def show(self, model_field: models.Field, value) -> str:
        if value is None or value == "":
            return empty_text()
        if model_field.is_relation:
            found = self._names.get(model_field.related_model, {}).get(value)
            return str(found) if found is not None else _("#%(id)s (deleted)") % {"id": value}
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, datetime.datetime):
            return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i")
        if isinstance(value, datetime.date):
            return formats.date_format(value, "Y-m-d")
        if isinstance(value, Decimal | int | float):
            return formats.number_format(value, force_grouping=True)
        if isinstance(model_field, models.FileField):
            return str(value).rsplit("/", 1)[-1]
        return str(value)


def _reason(record, state_changes: list[StateChange]) -> tuple[str, str]:
    """The action label and reason of one record: a transition by its label, with the StateChange's reason."""
    raw = record.history_change_reason or ""
    via = ""
    match = API_PREFIX.match(raw)
    if match:
        raw, via = match["rest"], _("via API client %(client)s") % {"client": match["client"]}
    if record.instance_type is Application and raw in TRANSITIONS:
        label = str(TRANSITION_LABELS[raw]())
        reason = ""
        # Records are read oldest first: the first unused StateChange of that transition is this
        # one's (written in the same transaction, a moment before the history row).
        for change in state_changes:
            if change.transition == raw and change.created_at <= record.history_date + MATCH_WINDOW:
                state_changes.remove(change)
                reason = change.reason_text
                break
        return label, " · ".join(part for part in (reason, via) if part)
    text = render_stored(raw)
    return "", " · ".join(part for part in (text, via) if part)


def audit_entries(application: Application) -> list[AuditEntry]:
    """Every history record of the application and its parts, newest first, in words."""
    records = _records(application)
    previous: dict[tuple, object] = {}
    diffs = []
    for record in records:
        key = (record.instance_type, record.id)
        before = previous.get(key)
        changes = record.diff_against(before).changes if before is not None and record.history_type == "~" else []
        previous[key] = record
        diffs.append((record, [c for c in changes if c.field not in HIDDEN_FIELDS]))
    values = _Values()
    values.prime([
        (record.instance_type._meta.get_field(c.field), v)
        for record, changes in diffs for c in changes for v in (c.old, c.new)
    ])
    state_changes = list(StateChange.objects.filter(application=application).order_by("created_at", "pk"))
    entries = []
    for record, changes in diffs:
        label, reason = _reason(record, state_changes)
        readable = []
        for change in changes:
            model_field = record.instance_type._meta.get_field(change.field)
            readable.append(AuditChange(
                field=change.field, label=str(model_field.verbose_name),
                old=values.show(model_field, change.old), new=values.show(model_field, change.new),
            ))
        entries.append(AuditEntry(
            when=record.history_date, who=record.history_user, record=_record_name(record),
            action=label or _action(record), reason=reason, changes=readable,
        ))
    return list(reversed(entries))


def field_choices(entries: list[AuditEntry]) -> list[tuple[str, str]]:
    """The fields that changed, for the filter (name, label), sorted by label."""
    seen = {change.field: change.label for entry in entries for change in entry.changes}
    return sorted(seen.items(), key=lambda item: item[1])


def person_choices(entries: list[AuditEntry]) -> list[tuple[str, str]]:
    seen = {str(entry.who.pk): str(entry.who) for entry in entries if entry.who is not None}
    return sorted(seen.items(), key=lambda item: item[1])


def filtered(entries: list[AuditEntry], *, field_name: str = "", person_id: int | None = None) -> list[AuditEntry]:
    """The entries by that person and/or changing that field (only that field's change shown)."""
    result = []
    for entry in entries:
        if person_id is not None and (entry.who is None or entry.who.pk != person_id):
            continue
        if field_name:
            changes = [c for c in entry.changes if c.field == field_name]
            if not changes:
                continue
            entry = AuditEntry(entry.when, entry.who, entry.record, entry.action, entry.reason, changes)
        result.append(entry)
    return result


def _cell(value: str) -> str:
    # A spreadsheet would run a cell starting like a formula.
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_download(application: Application, entries: list[AuditEntry]) -> HttpResponse:
    """One line per changed field (one per entry without field changes), in the reader's language."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([
        _("When"), _("Who"), pgettext("audit trail column", "Record"), _("Action"), _("Field"), _("Before"),
        _("After"), _("Reason"),
    ])
    for entry in entries:
        when = formats.date_format(timezone.localtime(entry.when), "Y-m-d H:i:s")
        who = str(entry.who) if entry.who is not None else _("system")
        base = [when, who, entry.record, entry.action]
        for change in entry.changes or [None]:
            row = base + ([change.label, change.old, change.new] if change else ["", "", ""]) + [entry.reason]
            writer.writerow([_cell(str(cell)) for cell in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{application.reference}-audit.csv"'
    return response


class AuditFilterForm(CleanTextMixin, forms.Form):
    """Filter the trail by changed field and by person; the choices are what the trail holds."""

    field = forms.ChoiceField(label=pgettext_lazy("audit trail filter", "Field"), required=False)
    person = forms.ChoiceField(label=pgettext_lazy("audit trail filter", "Person"), required=False)

    def __init__(self, data, *, entries: list[AuditEntry]) -> None:
        super().__init__(data)
        everything = [("", pgettext_lazy("audit trail filter", "All"))]
        self.fields["field"].choices = everything + field_choices(entries)
        self.fields["person"].choices = everything + person_choices(entries)
