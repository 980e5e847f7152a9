"""The scorecard as plain Python, and the one evaluation function.

``compile_version`` turns a ``ScorecardVersion`` (criteria, bands, knock-out rules) into
immutable tuples once; ``compiled_version`` caches that per version id for versions that
can no longer change (published or retired). ``evaluate(compiled, inputs)`` is pure: no
database, no clock, no translation — monitoring calls it for every admitted customer.
Human-readable reasons are rendered only when someone reads a result (``reason``
properties), in the reader's language, from the structured result.

How the total treats a criterion without data (see docs/scorecard.md): it scores no
points and its weight is left out, so the total is the weighted mean of the criteria that
could be scored; ``coverage`` says what share of the weight that is, each such criterion
is flagged "insufficient data", and the ``data_coverage`` knock-out fails an evaluation
that rests on too little of the model.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from screening.enums import CATEGORICAL_METRICS, KnockOut, Metric
from screening.metrics import _BAD, Insufficient, _date, derive

TIERS = ("A", "B", "C", "D")
NO_BAND = "no_band"  # a value no band covers (a gap in a draft's bands)

# Each knock-out rule's parameters and their defaults (a copy is stored with each rule).
KNOCKOUT_PARAMETERS: dict[str, dict[str, Any]] = {
    KnockOut.WATCHLIST_TRUE_MATCH: {},
    KnockOut.NEGATIVE_NET_ASSETS: {},
    KnockOut.MIN_YEARS_IN_BUSINESS: {"min_years": 1},
    KnockOut.TAX_RATING: {"ratings": ["D"]},
    KnockOut.BUREAU_SCORE_FLOOR: {"floor": 500},
    KnockOut.DATA_COVERAGE: {"min_percent": 80},
}


@dataclass(frozen=True, slots=True)
class CompiledBand:
    lower: float | None
    upper: float | None
    category: str | None
    points: int

    def as_dict(self) -> dict:
        if self.category is not None:
            return {"category": self.category}
        return {"lower": self.lower, "upper": self.upper}


@dataclass(frozen=True, slots=True)
class CompiledCriterion:
    metric: str
    group: str
    label: str
    weight: float
    categorical: bool
    bands: tuple[CompiledBand, ...]  # numeric bands sorted by lower bound
    categories: dict[str, CompiledBand]


@dataclass(frozen=True, slots=True)
class CompiledScorecard:
    version_id: int | None
    number: int
    admission_threshold: float
    tier_thresholds: tuple[tuple[str, float], ...]  # (("A", 85.0), ("B", 70.0), ("C", 60.0))
    criteria: tuple[CompiledCriterion, ...]
    knockouts: tuple[tuple[str, dict, Any], ...]  # (code, parameters, check function)
    total_weight: float


class CriterionResult:
    """The outcome of one criterion: its band and points, or why it could not be scored.

    Holds references to the compiled criterion and band (no copies), so that scoring a
    customer allocates one small object per criterion.
    """

    __slots__ = ("criterion", "value", "band", "missing", "contribution")

    def __init__(self, criterion: CompiledCriterion, value, band: CompiledBand | None, missing: Insufficient | None,
                 contribution: float = 0.0) -> None:
        self.criterion = criterion
        self.value = value
        self.band = band
        self.missing = missing  # Insufficient, or None when a band was found or none covers the value
        self.contribution = contribution  # points on the 0–100 total scale

    metric = property(lambda self: self.criterion.metric)
    group = property(lambda self: self.criterion.group)
    label = property(lambda self: self.criterion.label)
    weight = property(lambda self: self.criterion.weight)

    @property
    def points(self) -> int | None:
        return self.band.points if self.band is not None else None

    @property
    def insufficient(self) -> bool:
        return self.band is None

    @property
    def problem(self) -> str | None:
        if self.band is not None:
            return None
        return self.missing.problem if self.missing is not None else NO_BAND

    @property
    def keys(self) -> tuple[str, ...]:
        return self.missing.keys if self.missing is not None else ()

    @property
    def detail(self) -> str:
        return self.missing.detail if self.missing is not None else ""

    @property
    def name(self) -> str:
        from screening import reasons

        return reasons.criterion_name(self)

    @property
    def reason(self) -> str:
        from screening import reasons

        return reasons.criterion_reason(self)

    @property
    def value_display(self) -> str:
        from screening import reasons

        return reasons.format_value(self.metric, self.value)

    @property
    def band_display(self) -> str:
        from screening import reasons

        return reasons.format_band(self.metric, self.band)

    def as_dict(self) -> dict:
        value = self.value
        if isinstance(value, float):
            value = round(value, 4)
        missing = self.missing
        return {
            "metric": self.metric, "group": self.group, "label": self.label, "weight": self.weight,
            "value": value, "points": self.points, "band": self.band.as_dict() if self.band else None,
            "contribution": round(self.contribution, 2), "problem": self.problem,
            "keys": list(missing.keys) if missing else [], "detail": missing.detail if missing else "",
        }

    @classmethod
    def from_dict(cls, data: dict) -> CriterionResult:
        criterion = CompiledCriterion(
            data["metric"], data["group"], data.get("label", ""), data["weight"], False, (), {},
        )
        band_data = data.get("band")
        band = None
        if band_data is not None and data.get("points") is not None:
            band = CompiledBand(band_data.get("lower"), band_data.get("upper"), band_data.get("category"),
                                data["points"])
        missing = None
        if band is None and data.get("problem") not in (None, NO_BAND):
            missing = Insufficient(data["problem"], tuple(data.get("keys", ())), data.get("detail", ""))
        return cls(criterion, data.get("value"), band, missing, data.get("contribution", 0.0))


class KnockOutResult:
    """A knock-out rule that fired, with the value that made it fire."""

    __slots__ = ("code", "params", "value")

    def __init__(self, code: str, params: dict, value) -> None:
        self.code = code
        self.params = params
        self.value = value

    @property
    def label(self) -> str:
        return str(KnockOut(self.code).label) if self.code in KnockOut.values else self.code

    @property
    def reason(self) -> str:
        from screening import reasons

        return reasons.knockout_reason(self)

    def as_dict(self) -> dict:
        value = round(self.value, 2) if isinstance(self.value, float) else self.value
        return {"code": self.code, "params": self.params, "value": value}

    @classmethod
    def from_dict(cls, data: dict) -> KnockOutResult:
        return cls(data["code"], data.get("params", {}), data.get("value"))


class EvaluationResult:
    __slots__ = ("version_id", "version_number", "criteria", "total", "tier", "knockouts", "coverage", "passed",
                 "admission_threshold")

    def __init__(self, version_id, version_number, criteria, total, tier, knockouts, coverage, passed,
                 admission_threshold):
        self.version_id = version_id
        self.version_number = version_number
        self.criteria: list[CriterionResult] = criteria
        self.total: float = total
        self.tier: str = tier
        self.knockouts: list[KnockOutResult] = knockouts
        self.coverage: float = coverage  # percent of the model's weight that could be scored
        self.passed: bool = passed
        self.admission_threshold: float = admission_threshold

    @property
    def insufficient(self) -> list[CriterionResult]:
        return [c for c in self.criteria if c.band is None]

    def groups(self) -> list[dict]:
        """Per group: points earned on the 0–100 scale (they add up to the total) and the most possible."""
        from screening.enums import CriterionGroup

        scored_weight = sum(c.weight for c in self.criteria if c.band is not None)
        found: dict[str, dict] = {
            group.value: {"group": group.value, "label": str(group.label), "points": 0.0, "maximum": 0.0}
            for group in CriterionGroup
        }
        for c in self.criteria:
            entry = found.setdefault(c.group, {"group": c.group, "label": c.group, "points": 0.0, "maximum": 0.0})
            entry["points"] += c.contribution
            if c.band is not None and scored_weight:
                entry["maximum"] += 100.0 * c.weight / scored_weight
        for entry in found.values():
            entry["points"] = round(entry["points"], 2)
            entry["maximum"] = round(entry["maximum"], 2)
        return [entry for entry in found.values() if entry["maximum"] or entry["points"]]

    def as_dict(self) -> dict:
        return {
            "version": self.version_id, "version_number": self.version_number, "total": self.total,
            "tier": self.tier, "passed": self.passed, "coverage": self.coverage,
            "admission_threshold": self.admission_threshold,
            "criteria": [c.as_dict() for c in self.criteria],
            "knockouts": [k.as_dict() for k in self.knockouts],
        }

    @classmethod
    def from_dict(cls, data: dict) -> EvaluationResult:
        return cls(
            data.get("version"), data.get("version_number"),
            [CriterionResult.from_dict(c) for c in data.get("criteria", ())],
            data.get("total", 0.0), data.get("tier", "D"),
            [KnockOutResult.from_dict(k) for k in data.get("knockouts", ())],
            data.get("coverage", 0.0), data.get("passed", False), data.get("admission_threshold", 0.0),
        )


def evaluate(compiled: CompiledScorecard, inputs: dict) -> EvaluationResult:
    """Score ``inputs`` (the documented dict of ``screening.metrics``) with ``compiled``.

    Pure and allocation-light: one pass over the criteria, one over the knock-out rules.
    Never raises on bad or missing data: such a criterion is "insufficient data" — it
    scores nothing and its weight is left out of the total (see the module docstring).
    """
    values = derive(inputs)
    criteria: list[CriterionResult] = []
    append = criteria.append
    weighted = 0.0
    scored_weight = 0.0
    for criterion in compiled.criteria:
        value = values.get(criterion.metric)
        if value is None or value.__class__ is Insufficient:
            append(CriterionResult(criterion, None, None, value))
            continue
        band = None
        if criterion.categorical:
            band = criterion.categories.get(value)
        else:
            for candidate in criterion.bands:
                lower, upper = candidate.lower, candidate.upper
                if (lower is None or value >= lower) and (upper is None or value < upper):
                    band = candidate
                    break
        append(CriterionResult(criterion, value, band, None))
        if band is not None:
            weighted += criterion.weight * band.points
            scored_weight += criterion.weight
    if scored_weight:
        for result in criteria:
            if result.band is not None:
                result.contribution = result.criterion.weight * result.band.points / scored_weight
        total = round(weighted / scored_weight, 2)
    else:
        total = 0.0
    coverage = round(100.0 * scored_weight / compiled.total_weight, 1) if compiled.total_weight else 0.0

    knockouts: list[KnockOutResult] = []
    for code, params, check in compiled.knockouts:
        fired = check(params, values, inputs, coverage)
        if fired is not None:
            knockouts.append(KnockOutResult(code, params, fired))

    tier = "D"
    if not knockouts:
        for name, threshold in compiled.tier_thresholds:
            if total >= threshold:
                tier = name
                break
    passed = not knockouts and total >= compiled.admission_threshold
    return EvaluationResult(
        compiled.version_id, compiled.number, criteria, total, tier, knockouts, coverage, passed,
        compiled.admission_threshold,
    )


def unchanged_until(compiled: CompiledScorecard, inputs: dict) -> date | None:
    """The first date on which ``evaluate(compiled, inputs)`` could differ from today's result.

    Only one input depends on the date: ``as_of``, through years in business. The result
    can change when the years reach a bound of a years-in-business band or the minimum of
    the knock-out rule (or, with a registration date after ``as_of``, when that date comes).
    Evaluating the same inputs for any day before the returned date gives the same result
    apart from the years shown; monitoring uses this to skip scoring customers whose data
    and model did not change. ``date.max``: nothing depends on the date. None: unknown
    (``as_of`` is missing or not a date), so evaluate.
    """
    registered = _date(inputs.get("registration_date"))
    as_of = _date(inputs.get("as_of"))
    if as_of is None or as_of is _BAD:
        return None
    if registered is None or registered is _BAD:
        return date.max
    if registered > as_of:
        return registered  # years in business becomes computable that day
    years = (as_of - registered).days / 365.25
    bound = next((b for b in _years_bounds(compiled) if b > years), None)
    if bound is None:
        return date.max
    # The first whole number of days whose years (days / 365.25, as ``derive`` computes them) reach the bound.
    days = math.ceil(bound * 365.25)
    while days > 0 and (days - 1) / 365.25 >= bound:
        days -= 1
    while days / 365.25 < bound:
        days += 1
    try:
        return registered + timedelta(days=days)
    except OverflowError:
        return date.max


_bounds_cache: dict[int, tuple[CompiledScorecard, tuple[float, ...]]] = {}


def _years_bounds(compiled: CompiledScorecard) -> tuple[float, ...]:
    """The years-in-business values at which ``compiled`` can change its result, ascending."""
    cached = _bounds_cache.get(id(compiled))
    if cached is not None and cached[0] is compiled:
        return cached[1]
    bounds = set()
    for criterion in compiled.criteria:
        if criterion.metric == Metric.YEARS_IN_BUSINESS and not criterion.categorical:
            for band in criterion.bands:
                bounds.update(b for b in (band.lower, band.upper) if b is not None)
    for code, params, _check in compiled.knockouts:
        if code == KnockOut.MIN_YEARS_IN_BUSINESS:
            bounds.add(float(params.get("min_years", 1)))
    result = tuple(sorted(bounds))
    if len(_bounds_cache) > 64:
        _bounds_cache.clear()
    _bounds_cache[id(compiled)] = (compiled, result)
    return result


# Each check returns the value that makes its rule fire (kept for the reason), or None.

def _number(value) -> float | None:
    return None if value is None or value.__class__ is Insufficient else value


def _watchlist(params, values, inputs, coverage):
    return True if inputs.get("watchlist_true_match") is True else None


def _negative_net_assets(params, values, inputs, coverage):
    net = _number(values["net_assets"])
    return net if net is not None and net < 0 else None


def _min_years(params, values, inputs, coverage):
    years = _number(values["years_in_business"])
    return years if years is not None and years < params.get("min_years", 1) else None


def _tax_rating(params, values, inputs, coverage):
    rating = values["tax_rating"]
    return rating if rating.__class__ is str and rating in params.get("ratings", ()) else None


def _bureau_floor(params, values, inputs, coverage):
    score = _number(values["bureau_score"])
    return score if score is not None and score < params.get("floor", 0) else None


def _coverage(params, values, inputs, coverage):
    return coverage if coverage < params.get("min_percent", 0) else None


KNOCKOUT_CHECKS = {
    KnockOut.WATCHLIST_TRUE_MATCH: _watchlist,
    KnockOut.NEGATIVE_NET_ASSETS: _negative_net_assets,
    KnockOut.MIN_YEARS_IN_BUSINESS: _min_years,
    KnockOut.TAX_RATING: _tax_rating,
    KnockOut.BUREAU_SCORE_FLOOR: _bureau_floor,
    KnockOut.DATA_COVERAGE: _coverage,
}


# --- Compiling versions from the database ---

def _float(value) -> float | None:
    return None if value is None else float(value)


def compile_version(version) -> CompiledScorecard:
    """Read a ``ScorecardVersion`` with its criteria, bands and rules into plain structures.

    Three queries. Criteria with weight 0 are kept (shown, never counted).
    """
    criteria = []
    for criterion in version.criteria.prefetch_related("bands").order_by("ordering", "pk"):
        categorical = criterion.metric in CATEGORICAL_METRICS
        bands = [
            CompiledBand(_float(b.lower), _float(b.upper), (b.category or None) if categorical else None, b.points)
            for b in criterion.bands.all()
        ]
        numeric = tuple(sorted(
            (b for b in bands if b.category is None),
            key=lambda b: float("-inf") if b.lower is None else b.lower,
        ))
        criteria.append(CompiledCriterion(
            metric=str(criterion.metric), group=criterion.group, label=criterion.label, weight=float(criterion.weight),
            categorical=categorical, bands=() if categorical else numeric,
            categories={b.category: b for b in bands if b.category is not None} if categorical else {},
        ))
    knockouts = tuple(
        (rule.code, {**KNOCKOUT_PARAMETERS.get(rule.code, {}), **(rule.parameters or {})}, KNOCKOUT_CHECKS[rule.code])
        for rule in version.knockout_rules.filter(enabled=True).order_by("pk")
        if rule.code in KNOCKOUT_CHECKS
    )
    return CompiledScorecard(
        version_id=version.pk,
        number=version.number,
        admission_threshold=float(version.admission_threshold),
        tier_thresholds=(
            ("A", float(version.tier_a_min)), ("B", float(version.tier_b_min)), ("C", float(version.tier_c_min)),
        ),
        criteria=tuple(criteria),
        knockouts=knockouts,
        total_weight=sum(c.weight for c in criteria),
    )


_cache: dict[int, CompiledScorecard] = {}
_cache_lock = threading.Lock()


def compiled_version(version_id: int) -> CompiledScorecard:
    """The compiled form of a published or retired version, compiled once per process.

    Those versions never change (the model refuses it), so the cache needs no invalidation.
    A draft is compiled afresh every time: it is still being edited.
    """
    found = _cache.get(version_id)
    if found is not None:
        return found
    from screening.enums import VersionStatus
    from screening.models import ScorecardVersion

    version = ScorecardVersion.objects.get(pk=version_id)
    compiled = compile_version(version)
    if version.status != VersionStatus.DRAFT:
        with _cache_lock:
            _cache[version_id] = compiled
    return compiled


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
