"""A case's stored facts (codes and figures) labelled in the reader's language."""

from __future__ import annotations

from approvals.enums import Decision, Department
from monitoring.enums import AlertStatus, Indicator, Severity
from onboarding.enums import ApplicationKind, CustomerStatus, State
from outcomes.enums import OutcomeStatus


def _label(choices, code) -> str:
    return str(choices(code).label) if code in choices.values else (code or "—")


def facts_for_people(facts: dict) -> dict:
    shown = dict(facts)
    if facts.get("customer"):
        shown["customer"] = {**facts["customer"], "status": _label(CustomerStatus, facts["customer"].get("status"))}
    if facts.get("application"):
        application = facts["application"]
        shown["application"] = {**application, "kind": _label(ApplicationKind, application.get("kind")),
                                "state": _label(State, application.get("state"))}
    shown["votes"] = [{**v, "department": _label(Department, v["department"]),
                       "decision": _label(Decision, v["decision"])} for v in facts.get("votes") or []]
    shown["alerts"] = [{**a, "indicator": _label(Indicator, a["indicator"]), "severity": _label(Severity, a["severity"]),
                        "status": _label(AlertStatus, a["status"])} for a in facts.get("alerts") or []]
    if facts.get("outcome"):
        shown["outcome"] = {**facts["outcome"], "status": _label(OutcomeStatus, facts["outcome"]["status"])}
    if facts.get("rejection"):
        shown["rejection"] = {**facts["rejection"], "from_state": _label(State, facts["rejection"]["from_state"])}
    return shown
