"""CRM record → the unified application form's JSON body, by a per-client mapping (``ApiClient.crm_mapping``).

A CRM-side automation posts its account record as it is; the mapping says where each form
field is in it. The mapped body then goes through the same path as any draft (``api.drafts``:
the screen's forms and ``application_save``), so nothing here decides what is valid.

Mapping shape (JSON)::

    {
      "root": "data.0",                      # optional: where the record sits in the posted JSON
      "fields": {                            # form field → where to read it
        "legal_name_zh": "Account_Name",     #   a path (dots, list indexes)
        "customer_type": {"path": "Ownership", "map": {"Private": "sme"}},   # with a value map
        "registered_capital": {"path": "Capital_wan", "scale": 10000},       # a number times a factor
        "capital_currency": {"value": "CNY"},                                # a constant
        "registration_date": {"path": "founded", "convert": "epoch_ms_to_date"}  # 纷享销客 dates
      },
      "financials": [{"fiscal_year": "Fiscal_Year", "revenue": "Annual_Revenue"}],
      "contacts": [{"name": "Primary_Contact.name", "phone": "Phone"}]
    }

A path that is missing or empty in the record leaves the field out (a draft may be incomplete).
Examples for Zoho CRM Accounts and 纷享销客 客户 (AccountObj) are in ``api/crm_examples/``.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from api import drafts

EXAMPLES_DIR = Path(__file__).resolve().parent / "crm_examples"
EXAMPLES = {"zoho_accounts": "Zoho CRM — Accounts", "fxiaoke_account": "纷享销客 — 客户 (AccountObj)"}
MISSING = object()


def example_mapping(name: str) -> dict:
    return json.loads((EXAMPLES_DIR / f"{name}.mapping.json").read_text(encoding="utf-8"))


def _read(record, path: str):
    value = record
    for part in str(path).split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value


def _value(record, spec):
    if isinstance(spec, str):
        spec = {"path": spec}
    if "value" in spec:
        return spec["value"]
    value = _read(record, spec["path"])
    if value is MISSING or value in (None, ""):
        return MISSING
    if isinstance(value, dict):  # a lookup field (e.g. Zoho's {"name": ..., "id": ...}): its name
        value = value.get("name", value.get("label", MISSING))
        if value is MISSING:
            return MISSING
    if "map" in spec:
        value = spec["map"].get(str(value), spec.get("default", MISSING))
        if value is MISSING:
            return MISSING
    if spec.get("convert") == "epoch_ms_to_date":  # 纷享销客 dates are milliseconds since 1970
        try:
            value = datetime.datetime.fromtimestamp(int(value) / 1000, tz=datetime.UTC).astimezone(
                timezone.get_default_timezone()).date().isoformat()
        except (TypeError, ValueError, OverflowError, OSError):
            pass
    if "scale" in spec:
        try:
            value = format((Decimal(str(value)) * Decimal(str(spec["scale"]))).normalize(), "f")  # never 5E+7
        except InvalidOperation:
            pass  # left as sent: the form says what is wrong with it
    return value


def _mapped(record, fields: dict) -> dict:
    found = {}
    for target, spec in fields.items():
        value = _value(record, spec)
        if value is not MISSING:
            found[target] = value
    return found


def apply(mapping: dict, posted) -> dict:
    """The draft body the mapping makes of a posted CRM record (unknown CRM fields are ignored)."""
    record = _read(posted, mapping["root"]) if mapping.get("root") else posted
    if record is MISSING or not isinstance(record, dict):
        return {}
    body = _mapped(record, mapping.get("fields", {}))
    for key in ("financials", "contacts"):
        rows = [row for row in (_mapped(record, spec) for spec in mapping.get(key, [])) if row]
        if rows:
            body[key] = rows
    return body


def problems(mapping) -> list[str]:
    """What is wrong with a mapping an administrator entered (empty when it can be used)."""
    if not isinstance(mapping, dict):
        return [_("The mapping must be a JSON object.")]
    found = []
    unknown_sections = set(mapping) - {"root", "fields", "financials", "contacts"}
    if unknown_sections:
        found.append(_("Unknown mapping sections: %(names)s.") % {"names": ", ".join(sorted(unknown_sections))})
    sections = [("fields", [mapping.get("fields", {})], drafts.APPLICATION_FIELDS)]
    for key, allowed in (("financials", drafts.FINANCIAL_KEYS), ("contacts", drafts.CONTACT_KEYS)):
        rows = mapping.get(key, [])
        if not isinstance(rows, list):
            found.append(_("“%(section)s” must be a list.") % {"section": key})
            continue
        sections.append((key, rows, allowed))
    for section, rows, allowed in sections:
        for row in rows:
            if not isinstance(row, dict):
                found.append(_("“%(section)s” must map form fields to CRM fields.") % {"section": section})
                continue
            for target, spec in row.items():
                if target not in allowed:
                    found.append(_("“%(field)s” is not a field of the application form.") % {"field": target})
                if isinstance(spec, str):
                    continue
                if not isinstance(spec, dict) or not ({"path", "value"} & set(spec)) or set(spec) - {
                        "path", "value", "map", "default", "scale", "convert"}:
                    found.append(_("“%(field)s”: give a CRM field path, or an object with path (and map, scale, "
                                   "default) or value.") % {"field": target})
    return found
