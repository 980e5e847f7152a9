"""The early-warning indicators as pure functions: facts in, firings out.

No database, no clock, no translation: ``monitoring.runs`` calls ``evaluation_firings`` for
every customer it evaluates, the hourly check calls ``review_firing`` and
``condition_firing``. Each firing carries ``facts``, a small JSON-able dict that is stored
as evidence on the alert; evidence is appended only when the facts differ from the last
evidence, so facts hold what identifies the finding (dates, figures), never "days since".
``describe`` renders facts for people, in their language, when a page shows them.

Thresholds (``IndicatorSetting.threshold``; blank means the default below):

===================  =========================================================  =======
indicator            fires when                                                 default
===================  =========================================================  =======
below_threshold      total < threshold, or a knock-out fired                    the scorecard's
                                                                                admission threshold
tier_downgrade       tier fell by at least threshold steps since the last       1
                     evaluation (A → B is one step)
score_drop           last total − total ≥ threshold                             10
bureau_drop          last bureau score − bureau score ≥ threshold               50
new_overdue          overdue records − last overdue records ≥ threshold         1
new_litigation       litigation cases − last litigation cases ≥ threshold       1
watchlist_match      a watchlist hit not dismissed as a false positive scores   85
                     ≥ threshold
stale_financials     the latest statements' date is ≥ threshold months ago      15
review_overdue       the committee's next review date is ≥ threshold days past   0
                     and no re-review is under way
condition_overdue    a committee condition is ≥ threshold days past due,        0
                     unfulfilled
invoice_past_due     an invoice of the receivables is unpaid ≥ threshold days   30
                     after its due date
over_limit           the unpaid receivables exceed threshold % of the approved  100
                     credit limit
===================  =========================================================  =======

The last two read the receivables through ``outcomes.selectors`` (``monitoring.receivables``),
after each import or recomputation of outcomes.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from monitoring.enums import Indicator, Severity

TIERS = ("A", "B", "C", "D")

# (default threshold, default severity); the data migration copies these values.
DEFAULTS: dict[str, tuple[Decimal | None, str]] = {
    Indicator.BELOW_THRESHOLD: (None, Severity.HIGH),
    Indicator.TIER_DOWNGRADE: (Decimal("1"), Severity.MEDIUM),
    Indicator.SCORE_DROP: (Decimal("10"), Severity.MEDIUM),
    Indicator.BUREAU_DROP: (Decimal("50"), Severity.MEDIUM),
    Indicator.NEW_OVERDUE: (Decimal("1"), Severity.HIGH),
    Indicator.NEW_LITIGATION: (Decimal("1"), Severity.MEDIUM),
    Indicator.WATCHLIST_MATCH: (Decimal("85"), Severity.CRITICAL),
    Indicator.STALE_FINANCIALS: (Decimal("15"), Severity.LOW),
    Indicator.REVIEW_OVERDUE: (Decimal("0"), Severity.MEDIUM),
    Indicator.CONDITION_OVERDUE: (Decimal("0"), Severity.HIGH),
    Indicator.INVOICE_PAST_DUE: (Decimal("30"), Severity.HIGH),
    Indicator.OVER_LIMIT: (Decimal("100"), Severity.MEDIUM),
}

# Indicators whose threshold may be left blank (meaning: the scorecard decides).
BLANK_ALLOWED = frozenset({Indicator.BELOW_THRESHOLD})


@dataclass(frozen=True, slots=True)
class Rule:
    """An enabled indicator with its threshold (a float, or None for "the default")."""

    indicator: str
    threshold: float | None
    severity: str

    def limit(self, fallback: float) -> float:
        return fallback if self.threshold is None else self.threshold


@dataclass(slots=True)
class Firing:
    customer_id: int
    indicator: str
    severity: str
    facts: dict


class Previous(NamedTuple):
    """What the customer's last evaluation found (from its credit profile)."""

    total: float | None
    tier: str | None
    bureau_score: int | None
    overdue_count: int | None
    litigation_count: int | None


def rules_from(settings_rows) -> dict[str, Rule]:
    """Rules from ``IndicatorSetting`` rows (or anything with the same attributes).

    An indicator without a row takes its defaults, so a fresh or emptied table still warns.
    """
    rules = {
        indicator: Rule(indicator, None if threshold is None else float(threshold), severity)
        for indicator, (threshold, severity) in DEFAULTS.items()
    }
    for row in settings_rows:
        if not row.enabled:
            rules.pop(row.indicator, None)
            continue
        default_threshold = DEFAULTS[row.indicator][0]
        threshold = row.threshold if row.threshold is not None else default_threshold
        rules[row.indicator] = Rule(row.indicator, None if threshold is None else float(threshold), row.severity)
    return rules


@lru_cache(maxsize=8192)
def add_months(start: date, months: int) -> date:
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return start.replace(year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1]))


def evaluation_firings(
    rules: dict[str, Rule], *, customer_id: int, total: float, tier: str, knockouts: list[str],
    admission_threshold: float, previous: Previous, bureau_score: int | None, overdue_count: int | None,
    litigation_count: int | None, statements_date: date | None, today: date,
) -> list[Firing]:
    """The indicators an evaluation fires, compared with the previous one.

    Called once per customer in a run, so it is written as straight-line comparisons.
    Unknown values (None) never fire a comparison.
    """
    found: list[Firing] = []
    rule = rules.get(Indicator.BELOW_THRESHOLD)
    if rule is not None:
        limit = rule.limit(admission_threshold)
        if knockouts or total < limit:
            found.append(Firing(customer_id, rule.indicator, rule.severity,
                                {"score": total, "threshold": limit, "knockouts": knockouts}))
    rule = rules.get(Indicator.TIER_DOWNGRADE)
    if rule is not None and previous.tier in TIERS and tier in TIERS:
        steps = TIERS.index(tier) - TIERS.index(previous.tier)
        if steps >= max(1.0, rule.limit(1)):
            found.append(Firing(customer_id, rule.indicator, rule.severity, {"from": previous.tier, "to": tier}))
    rule = rules.get(Indicator.SCORE_DROP)
    if rule is not None and previous.total is not None:
        drop = round(previous.total - total, 2)
        if drop >= rule.limit(10):
            found.append(Firing(customer_id, rule.indicator, rule.severity,
                                {"previous": previous.total, "current": total, "drop": drop}))
    rule = rules.get(Indicator.BUREAU_DROP)
    if rule is not None and previous.bureau_score is not None and bureau_score is not None:
        if previous.bureau_score - bureau_score >= rule.limit(50):
            found.append(Firing(customer_id, rule.indicator, rule.severity,
                                {"previous": previous.bureau_score, "current": bureau_score}))
    rule = rules.get(Indicator.NEW_OVERDUE)
    if rule is not None and previous.overdue_count is not None and overdue_count is not None:
        if overdue_count - previous.overdue_count >= max(1.0, rule.limit(1)):
            found.append(Firing(customer_id, rule.indicator, rule.severity,
                                {"previous": previous.overdue_count, "current": overdue_count}))
    rule = rules.get(Indicator.NEW_LITIGATION)
    if rule is not None and previous.litigation_count is not None and litigation_count is not None:
        if litigation_count - previous.litigation_count >= max(1.0, rule.limit(1)):
            found.append(Firing(customer_id, rule.indicator, rule.severity,
                                {"previous": previous.litigation_count, "current": litigation_count}))
    rule = rules.get(Indicator.STALE_FINANCIALS)
    if rule is not None and statements_date is not None:
        if add_months(statements_date, int(rule.limit(15))) <= today:
            found.append(Firing(customer_id, rule.indicator, rule.severity,
                                {"statements_date": statements_date.isoformat()}))
    return found


def watchlist_firing(rules: dict[str, Rule], *, customer_id: int, hits: list[dict]) -> Firing | None:
    """``hits``: dicts with id, source, name, score (float) and disposition, false positives left out."""
    rule = rules.get(Indicator.WATCHLIST_MATCH)
    if rule is None:
        return None
    strong = sorted((h for h in hits if h["score"] >= rule.limit(85)), key=lambda h: h["id"])
    if not strong:
        return None
    return Firing(customer_id, rule.indicator, rule.severity, {"hits": strong})


def review_firing(
    rules: dict[str, Rule], *, customer_id: int, next_review_date: date | None, today: date
) -> Firing | None:
    """The committee's review date (``Customer.next_review_date``) has passed: order a re-review."""
    rule = rules.get(Indicator.REVIEW_OVERDUE)
    if rule is None or next_review_date is None or next_review_date >= today:
        return None
    if (today - next_review_date).days >= rule.limit(0):
        return Firing(customer_id, rule.indicator, rule.severity, {"next_review_date": next_review_date.isoformat()})
    return None


def condition_firing(
    rules: dict[str, Rule], *, customer_id: int, conditions: list[tuple[int, str, date]], today: date
) -> Firing | None:
    """``conditions``: (id, text, due date) of the customer's unfulfilled conditions."""
    rule = rules.get(Indicator.CONDITION_OVERDUE)
    if rule is None:
        return None
    late = [
        {"id": pk, "text": text, "due_date": due.isoformat()}
        for pk, text, due in sorted(conditions, key=lambda c: (c[2], c[0]))
        if due < today and (today - due).days >= rule.limit(0)
    ]
    if not late:
        return None
    return Firing(customer_id, rule.indicator, rule.severity, {"conditions": late})


PAST_DUE_LISTED = 20  # invoices named in an alert's facts; the count and the total cover all of them


def past_due_firing(
    rules: dict[str, Rule], *, customer_id: int, invoices: list[tuple[str, date, Decimal]], today: date
) -> Firing | None:
    """``invoices``: (number, due date, unpaid amount) of the customer's unpaid invoices past their due date."""
    rule = rules.get(Indicator.INVOICE_PAST_DUE)
    if rule is None:
        return None
    late = sorted(((no, due, unpaid) for no, due, unpaid in invoices if (today - due).days >= rule.limit(30)),
                  key=lambda i: (i[1], i[0]))
    if not late:
        return None
    return Firing(customer_id, rule.indicator, rule.severity, {
        "count": len(late), "unpaid": str(sum((u for _n, _d, u in late), Decimal(0))),
        "invoices": [{"invoice_no": no, "due_date": due.isoformat(), "unpaid": str(unpaid)}
                     for no, due, unpaid in late[:PAST_DUE_LISTED]],
    })


def over_limit_firing(
    rules: dict[str, Rule], *, customer_id: int, exposure: Decimal, credit_limit: Decimal
) -> Firing | None:
    """The unpaid receivables against the committee's credit limit (a limit of 0: any exposure fires)."""
    rule = rules.get(Indicator.OVER_LIMIT)
    if rule is None or exposure <= 0:
        return None
    if exposure > credit_limit * Decimal(str(rule.limit(100))) / 100:
        return Firing(customer_id, rule.indicator, rule.severity,
                      {"exposure": str(exposure), "limit": str(credit_limit)})
    return None


# --- For people ---

def describe(indicator: str, facts: dict) -> str:
    """One sentence about the facts, in the active language."""
    from django.utils.translation import gettext as _

    try:
        if indicator == Indicator.BELOW_THRESHOLD:
            text = _("Score %(score)s is below the threshold %(threshold)s.") % facts
            if facts.get("knockouts"):
                text += " " + _("Knock-outs: %(codes)s.") % {"codes": ", ".join(_knockout_labels(facts["knockouts"]))}
            return text
        if indicator == Indicator.TIER_DOWNGRADE:
            return _("Tier fell from %(from)s to %(to)s.") % facts
        if indicator == Indicator.SCORE_DROP:
            return _("Score fell by %(drop)s points, from %(previous)s to %(current)s.") % facts
        if indicator == Indicator.BUREAU_DROP:
            return _("Credit bureau score fell from %(previous)s to %(current)s.") % facts
        if indicator == Indicator.NEW_OVERDUE:
            return _("Overdue records rose from %(previous)s to %(current)s.") % facts
        if indicator == Indicator.NEW_LITIGATION:
            return _("Litigation cases rose from %(previous)s to %(current)s.") % facts
        if indicator == Indicator.WATCHLIST_MATCH:
            names = "; ".join(f"{h['name']} ({h['source']}, {h['score']})" for h in facts["hits"])
            return _("Watchlist hits: %(names)s.") % {"names": names}
        if indicator == Indicator.STALE_FINANCIALS:
            return _("The latest financial statements are dated %(statements_date)s.") % facts
        if indicator == Indicator.REVIEW_OVERDUE:
            return _("The customer's review was due on %(next_review_date)s.") % facts
        if indicator == Indicator.INVOICE_PAST_DUE:
            items = "; ".join(f"{i['invoice_no']} ({i['due_date']}, {i['unpaid']})" for i in facts["invoices"])
            return _("%(count)s invoices past due, %(unpaid)s CNY unpaid: %(items)s.") % {**facts, "items": items}
        if indicator == Indicator.OVER_LIMIT:
            return _("Unpaid receivables of %(exposure)s CNY exceed the credit limit of %(limit)s CNY.") % facts
        if indicator == Indicator.CONDITION_OVERDUE:
            items = "; ".join(f"{c['text']} ({c['due_date']})" for c in facts["conditions"])
            return _("Conditions past due: %(items)s.") % {"items": items}
    except (KeyError, TypeError):
        pass
    return ", ".join(f"{key}: {value}" for key, value in facts.items())


def _knockout_labels(codes: list[str]) -> list[str]:
    from screening.enums import KnockOut

    return [str(KnockOut(code).label) if code in KnockOut.values else code for code in codes]
