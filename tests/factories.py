"""Test data built through the real models; ``advance`` drives the real state machine."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from onboarding import services
from onboarding.enums import CustomerType, State
from onboarding.models import Application, Contact, DocumentRequirement, DocumentType, FinancialStatement, Industry

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40


def drawn_pdf(pages: int = 1) -> bytes:
    """A real PDF of ``pages`` pages (300 x 400 pt), each with a black rectangle of 200 x 300 pt."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(300, 400)
        stream = DecodedStreamObject()
        stream.set_data(b"0 0 0 rg 50 50 200 300 re f")
        page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(name: str = "licence.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-Vetted-2026")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            # get_or_create: a transactional test elsewhere may have flushed the migration's groups.
            self.groups.add(Group.objects.get_or_create(name=str(role))[0])
        self.__dict__.pop("role_names", None)


def user_with(*roles: Role, **kwargs) -> User:
    return UserFactory(roles=roles, **kwargs)


# Valid codes per GB 32100-2015 (check digits computed by onboarding.validators).
VALID_CREDIT_CODES = ["91350100M000100Y43", "91110000802100433B", "9131000013221158XC"]


def credit_code(n: int) -> str:
    from onboarding.validators import credit_code_check_char

    body = f"9111000{n:010d}"
    return body + credit_code_check_char(body)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete application in draft, ready to submit once its documents are uploaded."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    created_by = factory.LazyFunction(lambda: user_with(Role.SALES))
    legal_name_zh = factory.Sequence(lambda n: f"华东精密机械{n}有限公司")
    legal_name_en = factory.Sequence(lambda n: f"East China Precision Machinery {n} Co., Ltd.")
    credit_code = factory.Sequence(lambda n: credit_code(n + 1))
    registration_date = datetime.date(2012, 5, 17)
    registered_capital = Decimal("50000000")
    capital_currency = "CNY"
    legal_representative = "王建国"
    registered_address = "上海市浦东新区张江路 100 号"
    operating_address = "上海市浦东新区张江路 100 号"
    industry = factory.LazyFunction(lambda: Industry.objects.get(code="MFG-EQP"))
    customer_type = CustomerType.SME
    main_products = "数控机床"
    market_position = "strong"
    top_customers = "上汽集团; 三一重工"
    top_customer_share = Decimal("35")
    main_suppliers = "宝钢"
    employees = 420
    bureau_score = 720
    overdue_count_24m = 0
    litigation_count = 1
    tax_rating = "A"
    requested_credit_limit = Decimal("800000")
    requested_payment_terms = 60

    @factory.post_generation
    def complete(self, create, extracted, **kwargs):
        if extracted is False:
            return
        FinancialStatement.objects.create(
            application=self, fiscal_year=timezone.localdate().year - 1, revenue=Decimal("120000000"),
            net_profit=Decimal("9000000"), total_assets=Decimal("150000000"), total_liabilities=Decimal("80000000"),
            current_assets=Decimal("70000000"), current_liabilities=Decimal("40000000"),
            operating_cash_flow=Decimal("11000000"),
        )
        Contact.objects.create(application=self, name="李娜", title="财务总监", phone="13800000000")


def upload_required_documents(application: Application) -> None:
    """Upload a stub for every required document the application does not have (a re-review has
    the still-valid ones carried over)."""
    present = set(application.documents.filter(is_current=True).values_list("document_type_id", flat=True))
    for requirement in DocumentRequirement.objects.filter(customer_type=application.customer_type, required=True):
        if requirement.document_type_id in present:
            continue
        services.document_upload(
            application=application, document_type=requirement.document_type,
            upload=pdf_upload(f"{requirement.document_type.code}.pdf"), actor=application.created_by,
        )


def accept_all_documents(application: Application, reviewer: User) -> None:
    for document in application.documents.filter(is_current=True):
        services.document_review(document_id=document.pk, actor=reviewer, accept=True)


def advance(application: Application, to: State, **people: User) -> Application:
    """Drive ``application`` through the real transitions until it reaches ``to``.

    ``people`` may name ``reviewer`` and ``investigator``; missing ones are created.
    """
    if to in (State.DRAFT,):
        return application
    upload_required_documents(application)
    owner = application.created_by
    services.application_transition(application_id=application.pk, transition="submit", actor=owner)
    if to == State.WITHDRAWN:
        services.application_transition(application_id=application.pk, transition="withdraw", actor=owner)
        return Application.objects.get(pk=application.pk)
    if to == State.DOCUMENT_REVIEW:
        return Application.objects.get(pk=application.pk)
    reviewer = people.get("reviewer") or user_with(Role.DOCUMENT_REVIEWER)
    if to in (State.RETURNED, State.REJECTED):
        transition = "return_for_information" if to == State.RETURNED else "reject"
        services.application_transition(application_id=application.pk, transition=transition, actor=reviewer,
                                        reason="test")
        return Application.objects.get(pk=application.pk)
    accept_all_documents(application, reviewer)
    services.application_transition(application_id=application.pk, transition="pass_documents", actor=reviewer)
    if to == State.BACKGROUND_CHECK:
        return Application.objects.get(pk=application.pk)
    investigator = people.get("investigator") or user_with(Role.INVESTIGATOR)
    prepare_background_check(Application.objects.get(pk=application.pk), investigator)
    services.application_transition(
        application_id=application.pk, transition="pass_background_check", actor=investigator
    )
    return Application.objects.get(pk=application.pk)


def prepare_background_check(application: Application, investigator: User) -> None:
    """Make everything that the guard of ``pass_background_check`` requires exist (screening owns this)."""
    from screening import services as screening_services
    from screening.enums import InvestigationKind
    from screening.selectors import investigation_requirements
    from watchlists.services import screen_application

    # The watchlists guard needs a finished screening (its on-commit task does not run in tests).
    screen_application(application_id=application.pk)

    screening_services.evaluation_record_for_application(application=application)
    for requirement in investigation_requirements(application):
        if not requirement.missing:
            continue
        if requirement.kind == InvestigationKind.INTERVIEW:
            screening_services.interview_record(
                application=application, actor=investigator, date=datetime.date(2026, 1, 5),
                participants="CFO", business_model="Direct sales", management="Stable", findings="None",
            )
        elif requirement.kind == InvestigationKind.SITE_VISIT:
            screening_services.site_visit_record(
                application=application, actor=investigator, date=datetime.date(2026, 1, 6),
                address=application.operating_address, operations="Running", premises="Owned", staff="420",
            )
        elif requirement.kind == InvestigationKind.THIRD_PARTY_REPORT:
            screening_services.third_party_report_record(
                application=application, actor=investigator, upload=pdf_upload("report.pdf"),
                provider="Dun & Bradstreet", report_date=datetime.date(2026, 1, 7), conclusion="No concerns",
            )


def document_type(code: str) -> DocumentType:
    return DocumentType.objects.get(code=code)
