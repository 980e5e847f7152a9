"""Committee minutes (审批会议纪要) of a decided round: members, votes with reasons and conditions,
the rule, the score and tier at the time, the decision; as a page and as an A4 PDF (WeasyPrint).

The PDF embeds the fonts it finds on the system through fontconfig; Chinese needs a CJK font
(fonts-noto-cjk in the Dockerfile and .ci/run). Without one WeasyPrint still writes the PDF —
Chinese characters then show as empty boxes — so the page never fails for a missing font.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from approvals.enums import Department, Outcome
from approvals.models import Round
from screening.models import Evaluation


def minutes_for(round_id: int) -> dict | None:
    """The minutes of a closed round, or None (no such round, or not decided yet)."""
    round = (Round.objects.select_related("application").prefetch_related("votes__voter", "votes__conditions")
             .filter(pk=round_id, closed_at__isnull=False).first())
    if round is None:
        return None
    application = round.application
    evaluation = (Evaluation.objects.filter(application=application, created_at__lte=round.closed_at)
                  .order_by("-created_at").first())
    votes = sorted(round.votes.all(), key=lambda v: Department.values.index(v.department))
    return {
        "round": round, "reference": application.reference, "name": application.display_name,
        "number": round.number, "opened_at": round.opened_at, "closed_at": round.closed_at,
        "tier": round.tier, "rule": round.rule_label, "departments": round.department_labels,
        "veto": round.veto_labels, "outcome": Outcome(round.outcome).label if round.outcome else "",
        "score": evaluation.total if evaluation else None, "evaluated_tier": evaluation.tier if evaluation else "",
        "scorecard": evaluation.version.number if evaluation else None,
        "votes": [{"department": v.get_department_display(), "voter": v.voter, "decision": v.get_decision_display(),
                   "reason": v.reason, "conditions": list(v.conditions.all()), "credit_limit": v.credit_limit,
                   "payment_terms_days": v.payment_terms_days, "cast_at": v.created_at} for v in votes],
    }


def minutes_pdf(data: dict, *, base_url: str = "") -> bytes:
    from weasyprint import HTML  # imported here: loads Pango, which only this page needs

    html = render_to_string("training/minutes_pdf.html", {"m": data})
    return HTML(string=html, base_url=base_url).write_pdf()
