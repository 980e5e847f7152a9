"""What the breakdown partial shows, shared by the background-check screen and the panel tag."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from onboarding.models import Application
from screening.enums import CriterionGroup
from screening.models import Evaluation
from screening.selectors import evaluation_is_current, latest_evaluation, published_version

# The escapes of django.utils.html.json_script: the JSON can sit in any HTML context.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def safe_json(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)


def chart_config(groups: list[dict]) -> str:
    """A Chart.js bar chart of points by group, for ``<canvas data-chart>`` (static/js/app.js)."""
    return safe_json({
        "type": "bar",
        "data": {
            "labels": [g["label"] for g in groups],
            "datasets": [
                {"label": _("Points earned"), "data": [g["points"] for g in groups]},
                {"label": _("Most possible"), "data": [g["maximum"] for g in groups]},
            ],
        },
        "options": {"scales": {"y": {"beginAtZero": True, "suggestedMax": 40}}},
    })


def breakdown_context(application: Application, evaluation: Evaluation | None = None) -> dict:
    evaluation = evaluation or latest_evaluation(application=application)
    if evaluation is None:
        return {"evaluation": None, "application": application}
    result = evaluation.evaluation_result
    groups = result.groups()
    by_group = []
    for group in CriterionGroup:
        rows = [c for c in result.criteria if c.group == group.value]
        if rows:
            by_group.append((group.label, rows))
    published = published_version()
    return {
        "application": application,
        "evaluation": evaluation,
        "result": result,
        "groups": groups,
        "by_group": by_group,
        "chart": chart_config(groups),
        "is_current": evaluation_is_current(application, evaluation),
        "newer_version": published if published and published.pk != evaluation.version_id else None,
    }


def band_rows(criterion) -> list[tuple[str, int]]:
    """A criterion's bands in words, lowest first: [("40% to under 55%", 85), …]."""
    from screening.enums import CATEGORICAL_METRICS
    from screening.reasons import format_band
    from screening.scoring import CompiledBand

    categorical = criterion.metric in CATEGORICAL_METRICS
    rows = []
    for band in criterion.bands.all():
        compiled = CompiledBand(
            None if band.lower is None else float(band.lower), None if band.upper is None else float(band.upper),
            band.category if categorical else None, band.points,
        )
        rows.append((format_band(criterion.metric, compiled), band.points))
    return rows


def rule_parameter_text(rule) -> str:
    """A knock-out rule's parameter in words: "Lowest admissible bureau score: 500"."""
    from screening.forms import KnockOutRuleForm

    spec = KnockOutRuleForm.PARAMETER.get(rule.code)
    if spec is None:
        return ""
    key, label = spec
    value = (rule.parameters or {}).get(key, "")
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return f"{label}: {value}"
