"""Evaluation snapshots for bulk writing: the fingerprint and a fast JSON encoder.

A run writes up to a million ``Evaluation`` rows. ``EvaluationResult.as_dict()`` followed
by ``json.dumps`` costs several times the evaluation itself, because it builds eleven-key
dicts for fourteen criteria. ``ResultEncoder`` produces JSON with the same structure,
keys and values, from text fragments precomputed per band of the compiled scorecard: per
criterion only the value and the contribution are formatted. Criteria without a band
(insufficient data) and knock-outs are rare and go through ``as_dict`` unchanged.
``tests/monitoring/test_snapshot.py`` checks ``json.loads(encode(r)) == r.as_dict()``.
"""

from __future__ import annotations

import json

from screening.scoring import CompiledScorecard, EvaluationResult


def fingerprint(version_id: int | None, data_version: int, risk_class, watchlist_match: bool) -> str:
    """What a snapshot was computed from, apart from the date: model version and data version.

    ``data_version`` counts every change of the customer's credit data and admission inputs
    (imports, approvals, watchlist events bump it); the industry's risk class and the
    watchlist flag come from elsewhere, so they are part of it too. Two evaluations with the
    same fingerprint scored the same data with the same model: only years in business can
    differ, and a run compares the totals and tiers as well before it reuses a snapshot.
    """
    return f"v{version_id}:d{data_version}:r{risk_class}:w{int(bool(watchlist_match))}"


_dumps = json.dumps


def _value(value) -> str:
    if value.__class__ is float:
        return repr(round(value, 4))
    return _dumps(value)


class ResultEncoder:
    """JSON text of ``result.as_dict()`` for results of one compiled scorecard."""

    def __init__(self, compiled: CompiledScorecard) -> None:
        self.compiled = compiled  # keeps the bands alive, so their ids stay unique
        self._fragments: dict[int, tuple[str, str, str]] = {}
        for criterion in compiled.criteria:
            bands = list(criterion.bands) + list(criterion.categories.values())
            head = (
                f'{{"metric": {_dumps(criterion.metric)}, "group": {_dumps(criterion.group)}, '
                f'"label": {_dumps(criterion.label)}, "weight": {_dumps(criterion.weight)}, "value": '
            )
            for band in bands:
                middle = (
                    f', "points": {_dumps(band.points)}, "band": {_dumps(band.as_dict())}, "contribution": '
                )
                self._fragments[id(band)] = (head, middle, ', "problem": null, "keys": [], "detail": ""}')
        self._version = (
            f'{{"version": {_dumps(compiled.version_id)}, "version_number": {_dumps(compiled.number)}, "total": '
        )

    def criteria(self, result: EvaluationResult) -> str:
        parts = []
        append = parts.append
        fragments = self._fragments
        for item in result.criteria:
            band = item.band
            found = fragments.get(id(band)) if band is not None else None
            if found is None:
                append(_dumps(item.as_dict()))
                continue
            head, middle, tail = found
            append(head + _value(item.value) + middle + repr(round(item.contribution, 2)) + tail)
        return "[" + ", ".join(parts) + "]"

    def knockouts(self, result: EvaluationResult) -> str:
        if not result.knockouts:
            return "[]"
        return _dumps([k.as_dict() for k in result.knockouts])

    def encode(self, result: EvaluationResult) -> str:
        return (
            self._version + repr(result.total) + ', "tier": ' + _dumps(result.tier)
            + ', "passed": ' + ("true" if result.passed else "false")
            + ', "coverage": ' + repr(result.coverage)
            + ', "admission_threshold": ' + repr(result.admission_threshold)
            + ', "criteria": ' + self.criteria(result) + ', "knockouts": ' + self.knockouts(result) + "}"
        )
