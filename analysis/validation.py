"""Scorecard validation against what became of admitted customers (outcomes) and score stability.

A version (published or draft) re-scores each admitted customer's admission inputs
(``monitoring.AdmissionInputs``), so every version is judged on the same customers and data.
The outcome is outcomes' "bad within the window" (90+ days past due or written off within 12
months of admission by default). Figures need enough of both kinds: with fewer than
``MIN_OUTCOMES`` goods or bads the page says so instead of printing them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from analysis import measures as stats
from monitoring.models import AdmissionInputs
from outcomes.selectors import add_months, known_outcomes
from screening.enums import Metric
from screening.models import Evaluation, ScorecardVersion
from screening.scoring import CompiledScorecard, compile_version
from screening.vectorised import score_many

MIN_OUTCOMES = 30
MIN_POPULATION = 30
TIERS = ("A", "B", "C", "D")
SCORE_EDGES = np.arange(0, 101, 10, dtype=float)  # ten bands of ten points; 100 falls in the last


@dataclass
class CriterionFigure:
    label: str
    iv: float | None
    reading: str


@dataclass
class Report:
    version: ScorecardVersion
    window_months: int
    goods: int
    bads: int
    enough: bool
    auc: float | None = None
    gini: float | None = None
    ks: float | None = None
    ks_at: float | None = None
    tiers: list[tuple] = field(default_factory=list)  # (tier, cases, bads, bad rate %)
    bands: list[tuple] = field(default_factory=list)  # ("60–70", cases, bads, bad rate %)
    criteria: list[CriterionFigure] = field(default_factory=list)
    psi: float | None = None
    psi_counts: tuple[int, int] = (0, 0)
    psi_periods: tuple = ()
    readings: dict[str, str] = field(default_factory=dict)

    @property
    def too_few(self) -> str:
        return _(
            "Only %(bads)s bad and %(goods)s good customers have a known outcome over %(months)s months; at least "
            "%(minimum)s of each are needed before AUC, Gini, KS and information values mean anything."
        ) % {"bads": self.bads, "goods": self.goods, "months": self.window_months, "minimum": MIN_OUTCOMES}


def score_customers(compiled: CompiledScorecard, inputs_by_customer: list[tuple[int, dict]]):
    """Scores, tiers and each criterion's band key per customer, in the order given (vectorised)."""
    found = score_many(compiled, [inputs for _pk, inputs in inputs_by_customer])
    return found.totals, found.tiers, found.bins


def _iv_reading(iv: float) -> str:
    if iv < 0.02:
        return _("not predictive")
    if iv < 0.1:
        return _("weak")
    if iv < 0.3:
        return _("medium")
    return _("strong")


def _psi_reading(value: float) -> str:
    if value < 0.1:
        return _("PSI %(psi)s: below 0.1, the applicants' scores are stable between the two periods.") % {
            "psi": round(value, 3)}
    if value < 0.25:
        return _("PSI %(psi)s: between 0.1 and 0.25, the score distribution has shifted somewhat; watch it.") % {
            "psi": round(value, 3)}
    return _("PSI %(psi)s: above 0.25, the applicants now score very differently from the earlier period; "
             "the scorecard may no longer fit them.") % {"psi": round(value, 3)}


def application_scores(compiled: CompiledScorecard, start: datetime.date, end: datetime.date) -> np.ndarray:
    """Scores of the applications submitted in [start, end], each on the inputs of its latest evaluation."""
    zone = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    latest = (Evaluation.objects.filter(application__submitted_at__gte=low, application__submitted_at__lt=high)
              .values("application_id").annotate(last=Max("pk")).values_list("last", flat=True))
    inputs = Evaluation.objects.filter(pk__in=list(latest)).values_list("inputs", flat=True)
    return score_many(compiled, list(inputs.iterator(chunk_size=2000))).totals


def default_psi_periods(today: datetime.date) -> tuple[datetime.date, datetime.date, datetime.date, datetime.date]:
    """The last six months against the six before them."""
    recent_start = add_months(today, -6)
    return (add_months(today, -12), recent_start - datetime.timedelta(days=1), recent_start, today)


def validate(version: ScorecardVersion, *, window_months: int = 12, today: datetime.date | None = None,
             psi_periods: tuple | None = None) -> Report:
    today = today or timezone.localdate()
    compiled = compile_version(version)
    outcomes = known_outcomes(window_months=window_months, today=today)
    rows = [(pk, inputs) for pk, inputs in AdmissionInputs.objects.filter(customer_id__in=list(outcomes))
            .order_by("customer_id").values_list("customer_id", "inputs").iterator(chunk_size=2000)]
    bad = np.array([outcomes[pk] for pk, _i in rows], dtype=bool)
    scores, tiers, bins = score_customers(compiled, rows)
    goods, bads = int((~bad).sum()), int(bad.sum())
    report = Report(version=version, window_months=window_months, goods=goods, bads=bads,
                    enough=goods >= MIN_OUTCOMES and bads >= MIN_OUTCOMES)
    report.tiers = stats.bad_rates(tiers, bad, list(TIERS))
    band_index = np.clip(np.digitize(scores, SCORE_EDGES[1:-1]), 0, len(SCORE_EDGES) - 2) if len(scores) else scores
    labels = [f"{int(SCORE_EDGES[i])}–{int(SCORE_EDGES[i + 1])}" for i in range(len(SCORE_EDGES) - 1)]
    report.bands = [(labels[i], *rest) for i, *rest in stats.bad_rates(band_index, bad, list(range(len(labels))))
                    if rest[0]]
    if report.enough:
        report.auc = round(stats.auc(scores, bad), 3)
        report.gini = round(stats.gini(scores, bad), 3)
        statistic, at = stats.ks(scores, bad)
        report.ks, report.ks_at = round(statistic, 3), at
        for index, criterion in enumerate(compiled.criteria):
            iv = round(stats.information_value(bins[index], bad), 3)
            label = criterion.label or (str(Metric(criterion.metric).label) if criterion.metric in Metric.values
                                        else criterion.metric)
            report.criteria.append(CriterionFigure(label, iv, _iv_reading(iv)))
        report.readings = {
            "auc": _("AUC %(auc)s: in %(pairs)s of 100 pairs of one good and one bad customer, the good one scored "
                     "higher. 0.5 is chance; above 0.7 is usually useful, above 0.8 strong.")
            % {"auc": report.auc, "pairs": round(report.auc * 100)},
            "gini": _("Gini %(gini)s (2 × AUC − 1): 0 separates no better than chance, 1 separates perfectly.")
            % {"gini": report.gini},
            "ks": _("KS %(ks)s: the share of bads and the share of goods scoring at or below %(at)s differ by "
                    "%(points)s percentage points, the widest gap; above 30 points is usually good.")
            % {"ks": report.ks, "at": report.ks_at, "points": round(report.ks * 100)},
        }
    periods = psi_periods or default_psi_periods(today)
    earlier = application_scores(compiled, periods[0], periods[1])
    recent = application_scores(compiled, periods[2], periods[3])
    report.psi_periods = periods
    report.psi_counts = (len(earlier), len(recent))
    if len(earlier) >= MIN_POPULATION and len(recent) >= MIN_POPULATION:
        report.psi = round(stats.psi(earlier, recent, SCORE_EDGES), 3)
        report.readings["psi"] = _psi_reading(report.psi)
    else:
        report.readings["psi"] = _(
            "Too few applications to compare (%(earlier)s and %(recent)s; at least %(minimum)s in each period)."
        ) % {"earlier": len(earlier), "recent": len(recent), "minimum": MIN_POPULATION}
    return report
