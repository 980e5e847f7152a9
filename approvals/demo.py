"""Demo data for the committee: one admitted customer and one application awaiting votes.

Called by ``manage.py seed_demo`` after onboarding's and screening's seeds; safe to run again
(applications are keyed on credit code). Everything goes through the real services: the
pipeline's transitions, the evaluation, investigation records and the committee's votes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from approvals import services
from approvals.enums import Decision
from approvals.models import Round
from onboarding import demo as onboarding_demo
from onboarding import services as onboarding_services
from onboarding.demo import DemoCompany, demo_pdf, demo_user
from onboarding.enums import CustomerType, MarketPosition, PaymentTerms, State, TaxRating
from onboarding.models import Application
from screening import services as screening_services
from screening.enums import InvestigationKind
from screening.selectors import evaluation_is_current, investigation_requirements, latest_evaluation

ADMITTED = DemoCompany(
    owner="sales1", target=State.BACKGROUND_CHECK,
    name_zh="青岛海润冷链物流有限公司", name_en="Qingdao Hairun Cold Chain Logistics Co., Ltd.",
    region="370200", organisation="16350872", industry="LOGI", customer_type=CustomerType.SME,
    registered=datetime.date(2010, 5, 12), capital=Decimal("40000000"), representative="于海涛",
    address="山东省青岛市黄岛区前湾港路 66 号", products="冷链仓储、冷藏运输与城市配送",
    position=MarketPosition.STRONG, top_customers="海尔食品; 青岛啤酒", top_share=Decimal("36"),
    suppliers="中集冷链; 中石化青岛", employees=420, bureau_score=728, overdue=0, litigation=0, tax=TaxRating.A,
    limit=Decimal("2000000"), terms=PaymentTerms.NET_60, revenue=Decimal("265000000"),
    contact=("刘倩", "财务经理", "13963912470"), note="admitted with conditions",
)
AWAITING_VOTES = DemoCompany(
    owner="sales2", target=State.BACKGROUND_CHECK,
    name_zh="厦门鹭岛跨境电商有限公司", name_en="Xiamen Ludao Cross-border E-commerce Co., Ltd.",
    region="350200", organisation="58214637", industry="IT", customer_type=CustomerType.SME,
    registered=datetime.date(2015, 9, 3), capital=Decimal("12000000"), representative="陈志明",
    address="福建省厦门市湖里区象屿路 93 号", products="跨境电商平台运营与海外仓服务",
    position=MarketPosition.AVERAGE, top_customers="亚马逊卖家联盟; 安克创新", top_share=Decimal("48"),
    suppliers="顺丰国际; 菜鸟网络", employees=150, bureau_score=690, overdue=1, litigation=0, tax=TaxRating.B,
    limit=Decimal("800000"), terms=PaymentTerms.NET_45, revenue=Decimal("98000000"),
    contact=("黄丽", "财务主管", "13806012583"), note="in committee review, finance has voted",
)


def _to_background_check(company: DemoCompany, users: dict[str, User]) -> Application:
    # onboarding's demo builds the application the same way as its own demo companies.
    with transaction.atomic():
        application = onboarding_demo._create_application(company, users[company.owner])
        onboarding_demo._upload_documents(application, company, users[company.owner])
        onboarding_demo._advance(application, company, users)
    return Application.objects.get(pk=application.pk)


def _investigate(application: Application, investigator: User) -> None:
    latest = latest_evaluation(application=application)
    if latest is None or not evaluation_is_current(application, latest):
        screening_services.evaluation_record_for_application(application=application)
    try:  # screen against the watchlists now rather than wait for the worker (its guard asks for a run)
        from watchlists.services import screen_application
    except ImportError:
        pass
    else:
        screen_application(application_id=application.pk)
    today = timezone.localdate()
    for requirement in investigation_requirements(application):
        if not requirement.missing:
            continue
        if requirement.kind == InvestigationKind.INTERVIEW:
            screening_services.interview_record(
                application=application, actor=investigator, date=today,
                participants="总经理、财务经理；我方：背景调查、客户经理",
                business_model="自有冷库与车队，服务本地食品企业，月结为主。",
                management="创始团队稳定，财务负责人持有注册会计师资格。", plans="计划新建一座万吨级冷库。",
                findings="经营情况与申请材料一致。",
            )
        elif requirement.kind == InvestigationKind.SITE_VISIT:
            screening_services.site_visit_record(
                application=application, actor=investigator, date=today, address=application.operating_address,
                operations="冷库满负荷运转，车队 60 台。", premises="自有产权仓库。", staff="现场员工约 200 人。",
            )
        elif requirement.kind == InvestigationKind.THIRD_PARTY_REPORT:
            screening_services.third_party_report_record(
                application=application, actor=investigator, provider="中诚信征信", report_date=today,
                conclusion="未发现重大风险。",
                upload=SimpleUploadedFile("report.pdf", demo_pdf("Vetted demo third-party report"),
                                          content_type="application/pdf"),
            )


def _to_committee(company: DemoCompany, users: dict[str, User], stdout: TextIO) -> Application | None:
    existing = Application.objects.filter(credit_code=company.credit_code).first()
    if existing is not None:
        stdout.write(f"  {existing.reference} {company.name_zh} exists ({existing.state})\n")
        return None
    application = _to_background_check(company, users)
    investigator = users["investigator1"]
    _investigate(application, investigator)
    try:
        onboarding_services.application_transition(
            application_id=application.pk, transition="pass_background_check", actor=investigator,
        )
    except onboarding_services.TransitionRefused as refused:
        stdout.write(f"  {application.reference} stays in background check: {' '.join(refused.messages)}\n")
        return None
    return Application.objects.get(pk=application.pk)


def _vote(application: Application, voter: User, department: str, decision: str, **fields) -> None:
    round = Round.objects.get(application=application, closed_at__isnull=True)
    services.vote_cast(application_id=application.pk, round_id=round.pk, voter=voter, department=department,
                       decision=decision, **fields)


def seed_approvals(stdout: TextIO) -> None:
    stdout.write("Approvals demo data:\n")
    names = ("sales1", "sales2", "reviewer1", "investigator1", "finance1", "legal1", "business1")
    users = {name: demo_user(name) for name in names}

    admitted = _to_committee(ADMITTED, users, stdout)
    if admitted is not None:
        _vote(admitted, users["finance1"], "finance", Decision.APPROVE_WITH_CONDITIONS,
              reason="资产负债率偏高，先降低额度，年审后再调整。", credit_limit=Decimal("1500000"),
              payment_terms_days=PaymentTerms.NET_45,
              conditions=[("提供经审计的上一年度财务报表", timezone.localdate() + datetime.timedelta(days=90))])
        _vote(admitted, users["legal1"], "legal", Decision.APPROVE)
        admitted.refresh_from_db()
        stdout.write(f"  {admitted.reference} {ADMITTED.name_zh} admitted as customer "
                     f"(limit {admitted.customer.credit_limit}, {admitted.customer.payment_terms_days} days)\n")

    awaiting = _to_committee(AWAITING_VOTES, users, stdout)
    if awaiting is not None:
        _vote(awaiting, users["finance1"], "finance", Decision.APPROVE)
        stdout.write(f"  {awaiting.reference} {AWAITING_VOTES.name_zh} in committee review, "
                     "finance approved; legal1 and business1 can vote\n")
