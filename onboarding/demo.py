"""Demo users and applications for ``manage.py seed_demo`` (development only).

Everything is created through the real services and transitions, so the demo data obeys
the same rules as real data (documents are sniffed and hashed, every state change has a
history row, other apps' ``state_changed`` receivers run). Idempotent: users are keyed
on username, applications on credit code; a second run creates nothing.

Other apps add their demo data with a ``seed_<app label>(stdout)`` function in their own
``demo`` module; ``seed_demo`` calls them in ``INSTALLED_APPS`` order, after this one.
"""

from __future__ import annotations

import datetime
import struct
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from onboarding import services
from onboarding.enums import CustomerType, MarketPosition, PaymentTerms, State, TaxRating
from onboarding.models import Application, Contact, DocumentRequirement, DocumentType, FinancialStatement, Industry
from onboarding.validators import CREDIT_CODE_CHARSET, credit_code_check_char

# Printed by seed_demo; public by design, which is why seed_demo refuses to run without DEBUG.
DEMO_PASSWORD = "Vetted-demo-2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: Role
    role_zh: str


DEMO_USERS = (
    DemoUser("sales1", "张伟", Role.SALES, "客户经理"),
    DemoUser("sales2", "王芳", Role.SALES, "客户经理"),
    DemoUser("reviewer1", "刘洋", Role.DOCUMENT_REVIEWER, "资料审核"),
    DemoUser("investigator1", "陈静", Role.INVESTIGATOR, "背景调查"),
    DemoUser("finance1", "赵磊", Role.APPROVER_FINANCE, "财务审批"),
    DemoUser("legal1", "孙丽", Role.APPROVER_LEGAL, "法务审批"),
    DemoUser("business1", "周强", Role.APPROVER_BUSINESS, "业务审批"),
    DemoUser("risk1", "吴敏", Role.RISK_MANAGER, "风险经理"),
    # A second risk manager: a scorecard draft is published by someone other than its author.
    DemoUser("risk2", "冯雪", Role.RISK_MANAGER, "风险经理"),
    DemoUser("admin", "郑浩", Role.ADMIN, "系统管理员"),
)


def demo_user(username: str) -> User:
    """A demo user by username, for other apps' demo seeds (seed_onboarding creates them first)."""
    return User.objects.get(username=username)


def seed_users(stdout: TextIO) -> dict[str, User]:
    """Create the demo users with the shared password; existing ones keep their password."""
    users: dict[str, User] = {}
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={"first_name": demo.name, "email": f"{demo.username}@vetted.example", "language": "zh-hans"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if demo.role == Role.ADMIN:
                user.is_staff = True
                user.is_superuser = True
            user.save()
            stdout.write(f"  user {demo.username} ({demo.role.value}) created\n")
        user.groups.add(Group.objects.get(name=demo.role.value))
        users[demo.username] = user
    return users


# --- Credit codes -----------------------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _organisation_code(first8: str) -> str:
    """The 9-character organisation code (GB 11714) with its own check character."""
    total = sum(int(ch, 36) * weight for ch, weight in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return first8 + {10: "X", 11: "0"}.get(check, str(check))


def demo_credit_code(region: str, organisation: str) -> str:
    """A valid unified social credit code (GB 32100) for an enterprise (91) in ``region``."""
    body = "91" + region + _organisation_code(organisation)
    assert all(ch in CREDIT_CODE_CHARSET for ch in body), body
    return body + credit_code_check_char(body)


# --- Small but real files ---------------------------------------------------------------------


def demo_pdf(*lines: str) -> bytes:
    """A one-page PDF that viewers open, with ``lines`` of ASCII text."""
    def escape(text: str) -> bytes:
        raw = text.encode("ascii", "replace")
        return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    content = b"BT /F1 14 Tf 72 770 Td 20 TL " + b" ".join(b"(" + escape(line) + b") '" for line in lines) + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n" % (len(objects) + 1, xref)
    return bytes(pdf + b"%%EOF\n")


def demo_png(width: int = 160, height: int = 100, rgb: tuple[int, int, int] = (220, 53, 69)) -> bytes:
    """A plain-colour PNG (a stand-in for a scanned licence)."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _upload_for(document_type: DocumentType, company_en: str) -> SimpleUploadedFile:
    if document_type.code in ("business_licence", "legal_rep_id"):
        return SimpleUploadedFile(f"{document_type.code}.png", demo_png(), content_type="image/png")
    content = demo_pdf("Vetted demo document - not a real record", document_type.name_en, company_en)
    return SimpleUploadedFile(f"{document_type.code}.pdf", content, content_type="application/pdf")


# --- Demo applications -----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCompany:
    owner: str
    target: State
    name_zh: str
    name_en: str
    region: str  # administrative division code (6 digits)
    organisation: str  # first 8 characters of the organisation code
    industry: str
    customer_type: CustomerType
    registered: datetime.date
    capital: Decimal
    representative: str
    address: str
    products: str
    position: MarketPosition
    top_customers: str
    top_share: Decimal
    suppliers: str
    employees: int
    bureau_score: int
    overdue: int
    litigation: int
    tax: TaxRating
    limit: Decimal
    terms: PaymentTerms
    revenue: Decimal  # last fiscal year; the other figures are ratios of it
    contact: tuple[str, str, str]
    note: str = ""
    upload_documents: bool = True
    accept: tuple[str, ...] = field(default=())  # document types the reviewer accepts
    reject: dict[str, str] = field(default_factory=dict)  # document type -> reason

    @property
    def credit_code(self) -> str:
        return demo_credit_code(self.region, self.organisation)


DEMO_COMPANIES = (
    DemoCompany(
        owner="sales1", target=State.DRAFT,
        name_zh="苏州恒锐精密机械有限公司", name_en="Suzhou Hengrui Precision Machinery Co., Ltd.",
        region="320500", organisation="60812735", industry="MFG-EQP", customer_type=CustomerType.SME,
        registered=datetime.date(2009, 3, 18), capital=Decimal("30000000"), representative="顾建华",
        address="江苏省苏州市工业园区星湖街 218 号", products="数控车床、加工中心及配件",
        position=MarketPosition.STRONG, top_customers="徐工机械; 汇川技术", top_share=Decimal("42"),
        suppliers="宝武钢铁; 发那科", employees=260, bureau_score=705, overdue=0, litigation=0, tax=TaxRating.A,
        limit=Decimal("1500000"), terms=PaymentTerms.NET_60, revenue=Decimal("186000000"),
        contact=("沈晓燕", "财务经理", "13912760318"), note="draft with some documents uploaded",
        upload_documents=True,
    ),
    DemoCompany(
        owner="sales2", target=State.DRAFT,
        name_zh="杭州云栖数据科技有限公司", name_en="Hangzhou Yunqi Data Technology Co., Ltd.",
        region="330100", organisation="MA2B7K4Q", industry="IT", customer_type=CustomerType.SME,
        registered=datetime.date(2018, 7, 2), capital=Decimal("10000000"), representative="林浩然",
        address="浙江省杭州市西湖区云栖小镇 8 号", products="企业数据中台与云服务",
        position=MarketPosition.AVERAGE, top_customers="浙江省农信; 万向集团", top_share=Decimal("55"),
        suppliers="阿里云; 浪潮信息", employees=85, bureau_score=660, overdue=1, litigation=0, tax=TaxRating.B,
        limit=Decimal("300000"), terms=PaymentTerms.NET_30, revenue=Decimal("42000000"),
        contact=("方敏", "行政总监", "13757100926"), note="draft, no documents yet", upload_documents=False,
    ),
    DemoCompany(
        owner="sales1", target=State.DOCUMENT_REVIEW,
        name_zh="广东华南新材料股份有限公司", name_en="Guangdong Huanan New Materials Co., Ltd.",
        region="440100", organisation="19048263", industry="MFG-CHEM", customer_type=CustomerType.CORPORATE,
        registered=datetime.date(2001, 11, 9), capital=Decimal("260000000"), representative="黄志强",
        address="广东省广州市黄埔区开创大道 2501 号", products="工程塑料改性材料、涂料助剂",
        position=MarketPosition.LEADER, top_customers="美的集团; 格力电器; 比亚迪", top_share=Decimal("38"),
        suppliers="中国石化; 万华化学", employees=1850, bureau_score=760, overdue=0, litigation=2, tax=TaxRating.A,
        limit=Decimal("8000000"), terms=PaymentTerms.NET_90, revenue=Decimal("2350000000"),
        contact=("梁嘉欣", "资金部经理", "13802214567"), note="all documents in, ready to accept",
    ),
    DemoCompany(
        owner="sales2", target=State.DOCUMENT_REVIEW,
        name_zh="宁波海曙国际物流有限公司", name_en="Ningbo Haishu International Logistics Co., Ltd.",
        region="330200", organisation="25463178", industry="LOGI", customer_type=CustomerType.SME,
        registered=datetime.date(2013, 4, 25), capital=Decimal("20000000"), representative="许国栋",
        address="浙江省宁波市海曙区望春工业园区 66 号", products="集装箱运输、仓储与报关代理",
        position=MarketPosition.STRONG, top_customers="宁波港集团; 雅戈尔", top_share=Decimal("47"),
        suppliers="中远海运; 中石化宁波", employees=310, bureau_score=690, overdue=0, litigation=1,
        tax=TaxRating.B, limit=Decimal("1200000"), terms=PaymentTerms.NET_45, revenue=Decimal("318000000"),
        contact=("钱丽君", "财务主管", "13586620341"), note="review under way",
        accept=("business_licence", "legal_rep_id"),
    ),
    DemoCompany(
        owner="sales1", target=State.RETURNED,
        name_zh="成都天府绿源食品有限公司", name_en="Chengdu Tianfu Lvyuan Foods Co., Ltd.",
        region="510100", organisation="73520946", industry="FOOD", customer_type=CustomerType.SME,
        registered=datetime.date(2011, 9, 14), capital=Decimal("15000000"), representative="杨晓东",
        address="四川省成都市温江区海峡两岸科技园新华大道 88 号", products="川味调味品、速冻食品",
        position=MarketPosition.AVERAGE, top_customers="红旗连锁; 永辉超市", top_share=Decimal("51"),
        suppliers="新希望六和; 中粮", employees=190, bureau_score=640, overdue=2, litigation=1, tax=TaxRating.B,
        limit=Decimal("600000"), terms=PaymentTerms.NET_30, revenue=Decimal("96000000"),
        contact=("何静", "出纳", "13980651274"), note="bank reference too old",
        accept=("business_licence", "financial_statements", "legal_rep_id", "tax_certificate"),
        reject={"bank_reference": "银行资信证明出具日期已超过三个月，请提供最新版本。"},
    ),
    DemoCompany(
        owner="sales2", target=State.BACKGROUND_CHECK,
        name_zh="武汉长江电子元件有限公司", name_en="Wuhan Changjiang Electronic Components Co., Ltd.",
        region="420100", organisation="30017592", industry="MFG-ELEC", customer_type=CustomerType.STATE_OWNED,
        registered=datetime.date(1998, 6, 30), capital=Decimal("120000000"), representative="邓卫国",
        address="湖北省武汉市东湖新技术开发区光谷大道 77 号", products="片式电容、电感及传感器",
        position=MarketPosition.STRONG, top_customers="东风汽车; 长江存储", top_share=Decimal("33"),
        suppliers="村田中国; 风华高科", employees=1240, bureau_score=735, overdue=0, litigation=0,
        tax=TaxRating.A, limit=Decimal("5000000"), terms=PaymentTerms.NET_60, revenue=Decimal("1120000000"),
        contact=("罗红", "财务部副部长", "13871204859"), note="documents passed, awaiting background check",
    ),
)


def _create_application(company: DemoCompany, owner: User) -> Application:
    application = Application(
        created_by=owner, legal_name_zh=company.name_zh, legal_name_en=company.name_en,
        credit_code=company.credit_code, registration_date=company.registered, registered_capital=company.capital,
        capital_currency="CNY", legal_representative=company.representative, registered_address=company.address,
        operating_address=company.address, industry=Industry.objects.get(code=company.industry),
        customer_type=company.customer_type, main_products=company.products, market_position=company.position,
        top_customers=company.top_customers, top_customer_share=company.top_share, main_suppliers=company.suppliers,
        employees=company.employees, bureau_score=company.bureau_score, overdue_count_24m=company.overdue,
        litigation_count=company.litigation, tax_rating=company.tax, requested_credit_limit=company.limit,
        requested_payment_terms=company.terms,
    )
    application._history_user = owner  # simple_history: the audit trail names the sales owner
    application.save()
    revenue = company.revenue
    FinancialStatement.objects.create(
        application=application, fiscal_year=timezone.localdate().year - 1, revenue=revenue,
        net_profit=revenue * Decimal("0.07"), total_assets=revenue * Decimal("1.25"),
        total_liabilities=revenue * Decimal("0.68"), current_assets=revenue * Decimal("0.58"),
        current_liabilities=revenue * Decimal("0.36"), operating_cash_flow=revenue * Decimal("0.09"),
    )
    name, title, phone = company.contact
    Contact.objects.create(application=application, name=name, title=title, phone=phone)
    return application


def _upload_documents(application: Application, company: DemoCompany, owner: User) -> None:
    requirements = DocumentRequirement.objects.filter(customer_type=company.customer_type).select_related(
        "document_type"
    )
    if company.target == State.DRAFT:
        # A draft in progress: only the first two required documents so far.
        requirements = requirements.filter(required=True).order_by("document_type__code")[:2]
    else:
        requirements = requirements.filter(required=True)
    for requirement in requirements:
        services.document_upload(
            application=application, document_type=requirement.document_type,
            upload=_upload_for(requirement.document_type, company.name_en), actor=owner,
        )


def _review_documents(application: Application, company: DemoCompany, reviewer: User, accept_all: bool) -> None:
    for document in application.documents.filter(is_current=True).select_related("document_type"):
        code = document.document_type.code
        if code in company.reject:
            services.document_review(document_id=document.pk, actor=reviewer, accept=False, reason=company.reject[code])
        elif accept_all or code in company.accept:
            services.document_review(document_id=document.pk, actor=reviewer, accept=True)


def _advance(application: Application, company: DemoCompany, users: dict[str, User]) -> None:
    owner, reviewer = users[company.owner], users["reviewer1"]

    def take(transition: str, actor: User, reason: str = "") -> None:
        services.application_transition(application_id=application.pk, transition=transition, actor=actor,
                                        reason=reason)

    if company.target == State.DRAFT:
        return
    take("submit", owner)
    if company.target == State.DOCUMENT_REVIEW:
        _review_documents(application, company, reviewer, accept_all=False)
    elif company.target == State.RETURNED:
        _review_documents(application, company, reviewer, accept_all=False)
        take("return_for_information", reviewer, next(iter(company.reject.values()), "请补充资料。"))
    elif company.target == State.BACKGROUND_CHECK:
        _review_documents(application, company, reviewer, accept_all=True)
        take("pass_documents", reviewer)
    else:
        raise ValueError(f"seed_onboarding cannot reach {company.target}")


def seed_applications(stdout: TextIO, users: dict[str, User]) -> list[Application]:
    """One application per demo company, unless one with its credit code exists already."""
    created = []
    for company in DEMO_COMPANIES:
        existing = Application.objects.filter(credit_code=company.credit_code).first()
        if existing is not None:
            stdout.write(f"  {existing.reference} {company.name_zh} exists ({existing.state})\n")
            continue
        owner = users[company.owner]
        # One transaction per application: a failure leaves no half-built application behind,
        # and other apps' on-commit side effects run once it is complete.
        with transaction.atomic():
            application = _create_application(company, owner)
            if company.upload_documents:
                _upload_documents(application, company, owner)
            _advance(application, company, users)
        application.refresh_from_db()
        created.append(application)
        stdout.write(f"  {application.reference} {company.name_zh} created ({application.state}: {company.note})\n")
    return created


def seed_onboarding(stdout: TextIO) -> None:
    """Onboarding's demo data: the demo users, then the demo applications."""
    stdout.write("Onboarding demo data:\n")
    users = seed_users(stdout)
    seed_applications(stdout, users)

