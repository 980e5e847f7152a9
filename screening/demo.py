"""Demo data for screening: evaluations and an interview for demo applications in background check.

Called by ``manage.py seed_demo`` after onboarding's seed; safe to run again.
"""

from __future__ import annotations

from typing import TextIO

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from onboarding.enums import State
from onboarding.models import Application
from screening import services
from screening.selectors import evaluation_is_current, latest_evaluation


def _investigator_for(application: Application) -> User | None:
    """A demo investigator allowed to act on it: not its creator, not its document reviewer."""
    return (
        User.objects.filter(groups__name=Role.INVESTIGATOR, is_active=True)
        .exclude(Q(pk=application.created_by_id) | Q(pk=application.document_reviewer_id or 0))
        .order_by("username").first()
    )


def seed_screening(stdout: TextIO) -> None:
    applications = (
        Application.objects.filter(state=State.BACKGROUND_CHECK)
        .select_related("industry", "created_by", "customer").prefetch_related("financials")
    )
    for application in applications:
        latest = latest_evaluation(application=application)
        if latest is None or not evaluation_is_current(application, latest):
            evaluation = services.evaluation_record_for_application(application=application)
            stdout.write(f"  evaluation of {application.reference}: {evaluation.total} ({evaluation.tier})\n")
        investigator = _investigator_for(application)
        if investigator is None or application.interviews.exists():
            continue
        services.interview_record(
            application=application, actor=investigator, date=timezone.localdate(),
            participants="总经理、财务总监；我方：背景调查、客户经理",
            business_model="以直销为主，主要面向华东地区的制造企业，账期 60 天。",
            management="管理团队稳定，核心成员在公司任职均超过五年。",
            plans="计划两年内扩建一条生产线，资金来源为自有资金和银行贷款。",
            findings="经营情况与申请材料一致，未发现异常。",
        )
        stdout.write(f"  interview recorded for {application.reference}\n")
