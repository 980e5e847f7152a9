"""What changed, as data (``Briefing.changes``), and how it reads in the reader's language.

A change is ``{"kind": subject kind, "subject": code or name, "field": field code, "old": ..., "new": ...}``;
codes are turned into labels when the briefing is shown, so each reader sees their language.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.enums import Department, Rule
from monitoring.enums import Indicator, Severity
from screening.enums import KnockOut, Metric
from screening.models import ScorecardVersion

FIELD_LABELS = {
    "admission_threshold": gettext_lazy("admission threshold"),
    "tier_a_min": gettext_lazy("tier A from"),
    "tier_b_min": gettext_lazy("tier B from"),
    "tier_c_min": gettext_lazy("tier C from"),
    "criterion": gettext_lazy("criterion"),
    "weight": gettext_lazy("weight"),
    "group": gettext_lazy("group"),
    "bands": gettext_lazy("bands"),
    "knockout_enabled": gettext_lazy("knock-out enabled"),
    "knockout_parameters": gettext_lazy("knock-out parameters"),
    "departments": gettext_lazy("departments that vote"),
    "rule": gettext_lazy("rule"),
    "veto_departments": gettext_lazy("departments with a veto"),
    "veto_silence_consents": gettext_lazy("a veto department that has not voted consents"),
    "warning": gettext_lazy("show a prominent warning"),
    "cadence_months": gettext_lazy("re-evaluation cadence (months)"),
    "enabled": gettext_lazy("enabled"),
    "threshold": gettext_lazy("threshold"),
    "severity": gettext_lazy("severity"),
}

SUBJECT_KINDS = {
    "metric": Metric, "knockout": KnockOut, "indicator": Indicator,
}


def _label(enum, code) -> str:
    try:
        return str(enum(code).label)
    except ValueError:
        return str(code)


def render_value(field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if field in ("departments", "veto_departments"):
        return ", ".join(_label(Department, d) for d in value) or "—"
    if field == "rule":
        return _label(Rule, value)
    if field == "severity":
        return _label(Severity, value)
    if isinstance(value, bool) or value in ("True", "False"):
        return _("yes") if value in (True, "True") else _("no")
    return str(value)


def render_subject(change: dict) -> str:
    kind = change.get("kind", "")
    subject = change.get("subject", "")
    if kind in SUBJECT_KINDS:
        return _label(SUBJECT_KINDS[kind], subject)
    if kind == "tier":
        return _("Tier %(tier)s") % {"tier": subject}
    if kind == "scorecard":
        return _("Scorecard")
    return str(subject)


def rendered(changes: list[dict]) -> list[dict]:
    return [
        {"subject": render_subject(c), "field": str(FIELD_LABELS.get(c["field"], c["field"])),
         "old": render_value(c["field"], c.get("old")), "new": render_value(c["field"], c.get("new"))}
        for c in changes
    ]


def _bands(criterion) -> str:
    return "; ".join(str(b) for b in criterion.bands.order_by("pk"))


def scorecard_changes(old: ScorecardVersion | None, new: ScorecardVersion) -> list[dict]:
    """Thresholds, criteria (added, removed, weight, group, bands) and knock-outs, old → new."""
    changes: list[dict] = []
    for field in ("admission_threshold", "tier_a_min", "tier_b_min", "tier_c_min"):
        before = getattr(old, field) if old else None
        after = getattr(new, field)
        if before != after:
            changes.append({"kind": "scorecard", "subject": "", "field": field,
                            "old": None if before is None else str(before), "new": str(after)})
    old_criteria = {c.metric: c for c in old.criteria.prefetch_related("bands")} if old else {}
    new_criteria = {c.metric: c for c in new.criteria.prefetch_related("bands")}
    for metric in sorted(set(old_criteria) | set(new_criteria)):
        a, b = old_criteria.get(metric), new_criteria.get(metric)
        if a is None or b is None:
            changes.append({"kind": "metric", "subject": metric, "field": "weight",
                            "old": str(a.weight) if a else None, "new": str(b.weight) if b else None})
            continue
        if a.weight != b.weight:
            changes.append({"kind": "metric", "subject": metric, "field": "weight", "old": str(a.weight), "new": str(b.weight)})
        if a.group != b.group:
            changes.append({"kind": "metric", "subject": metric, "field": "group", "old": a.group, "new": b.group})
        if _bands(a) != _bands(b):
            changes.append({"kind": "metric", "subject": metric, "field": "bands", "old": _bands(a), "new": _bands(b)})
    old_rules = {r.code: r for r in old.knockout_rules.all()} if old else {}
    for rule in new.knockout_rules.all():
        before = old_rules.get(rule.code)
        if before is None or before.enabled != rule.enabled:
            changes.append({"kind": "knockout", "subject": rule.code, "field": "knockout_enabled",
                            "old": None if before is None else before.enabled, "new": rule.enabled})
        if before is not None and before.parameters != rule.parameters:
            changes.append({"kind": "knockout", "subject": rule.code, "field": "knockout_parameters",
                            "old": str(before.parameters), "new": str(rule.parameters)})
    return changes
