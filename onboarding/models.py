"""Applications, their documents and history, and admitted customers.

The ``state`` field of Application is changed only by
``onboarding.services.application_transition``; the ``@transition`` methods below
describe the pipeline (source, target, who, guard) for django-fsm and do nothing else.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from onboarding import permissions as perms
from onboarding.enums import (
    OPEN_STATES,
    ApplicationKind,
    Currency,
    CustomerStatus,
    CustomerType,
    DocumentStatus,
    MarketPosition,
    PaymentTerms,
    State,
    TaxRating,
    Tier,
)
from onboarding.guards import condition


class BilingualName(models.Model):
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class Industry(BilingualName):
    code = models.CharField(_("code"), max_length=20, unique=True)
    risk_class = models.PositiveSmallIntegerField(
        _("industry risk class"), help_text=_("1 = lowest risk, 5 = highest risk")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return _("%(name)s (risk class %(risk_class)s)") % {"name": self.name, "risk_class": self.risk_class}


class DocumentType(BilingualName):
    code = models.CharField(_("code"), max_length=40, unique=True)
    description = models.CharField(_("what to check (English)"), max_length=300, blank=True)
    description_zh = models.CharField(_("what to check (Chinese)"), max_length=300, blank=True)
    # How long an accepted copy stays good enough to carry over to a customer's re-review.
    valid_until_expiry = models.BooleanField(
        _("valid until its expiry date"), default=False,
        help_text=_("Carried over to a re-review while the expiry date recorded at review is not past."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), null=True, blank=True,
        help_text=_("Carried over to a re-review for this many months after upload; empty: always asked again."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("document type")
        verbose_name_plural = _("document types")

    @property
    def check_text(self) -> str:
        return self.description_zh if (get_language() or "").startswith("zh") and self.description_zh else self.description


class DocumentRequirement(models.Model):
    """One line of the required-document checklist for a customer type."""

    customer_type = models.CharField(_("customer type"), max_length=20, choices=CustomerType.choices)
    document_type = models.ForeignKey(DocumentType, on_delete=models.CASCADE, verbose_name=_("document type"))
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer_type", "document_type"], name="unique_requirement_per_type")
        ]
        ordering = ["customer_type", "document_type__code"]
        verbose_name = _("document requirement")
        verbose_name_plural = _("document checklist")

    def __str__(self) -> str:
        return f"{self.get_customer_type_display()}: {self.document_type}"


class Customer(models.Model):
    """An admitted customer, created or reactivated when an application is approved."""

    name = models.CharField(_("name"), max_length=300)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    customer_type = models.CharField(_("customer type"), max_length=20, choices=CustomerType.choices)
    industry = models.ForeignKey(Industry, on_delete=models.PROTECT, null=True, verbose_name=_("industry"))
    status = models.CharField(
        _("status"), max_length=20, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE, db_index=True
    )
    tier = models.CharField(_("risk tier"), max_length=1, choices=Tier.choices, blank=True, db_index=True)
    credit_limit = models.DecimalField(_("credit limit"), max_digits=16, decimal_places=2, default=0)
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms"), choices=PaymentTerms.choices, default=PaymentTerms.PREPAID
    )
    sales_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="customers", verbose_name=_("sales owner")
    )
    admitted_at = models.DateTimeField(_("admitted at"), default=timezone.now)
    next_review_date = models.DateField(_("next review date"), null=True, blank=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        # The customer list pages in name order, for everyone or for one sales owner (issue 16).
        indexes = [
            models.Index(fields=["name", "id"], name="customer_name_idx"),
            models.Index(fields=["sales_owner", "name", "id"], name="customer_owner_name_idx"),
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name


class CustomerCondition(models.Model):
    """A condition the committee attached to an admission, with a due date."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="conditions")
    application = models.ForeignKey("Application", on_delete=models.PROTECT, related_name="conditions")
    text = models.CharField(_("condition"), max_length=500)
    due_date = models.DateField(_("due date"))
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date"]
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")

    def __str__(self) -> str:
        return self.text


class StateWriteRefused(Exception):
    """Raised for a bulk write of ``Application.state`` (only ``application_transition`` moves it)."""


class ApplicationQuerySet(models.QuerySet):
    # The state field is protected on instances (FSMField(protected=True)); these close the bulk paths.
    def update(self, **kwargs):
        if "state" in kwargs:
            raise StateWriteRefused("Application.state is changed only by onboarding.services.application_transition.")
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if "state" in fields:
            raise StateWriteRefused("Application.state is changed only by onboarding.services.application_transition.")
        return super().bulk_update(objs, fields, *args, **kwargs)

    @staticmethod
    def overdue_condition(now=None) -> Q:
        now = now or timezone.now()
        q = Q(pk__in=[])
        for state, days in settings.STAGE_DEADLINE_DAYS.items():
            q |= Q(state=state, state_entered_at__lt=now - timedelta(days=days))
        return q

    def overdue(self, now=None) -> ApplicationQuerySet:
        return self.filter(self.overdue_condition(now))


class Application(ConcurrentTransitionMixin, models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=ApplicationKind.choices, default=ApplicationKind.NEW)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="applications",
        verbose_name=_("customer"),
    )
    # Protected: assigning it raises; only a transition method, called by application_transition, moves it.
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, db_index=True, protected=True)
    state_entered_at = models.DateTimeField(_("in this state since"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications", verbose_name=_("sales owner")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Who worked on it, for segregation of duties (nobody who reviewed or investigated votes).
    document_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("document reviewer"),
    )
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("investigator"),
    )

    # Company identity
    legal_name_zh = models.CharField(_("legal name (Chinese)"), max_length=300, blank=True)
    legal_name_en = models.CharField(_("legal name (English)"), max_length=300, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, db_index=True)
    # A legally valid code that GB 32100's rules refuse (early pilot codes): entered by the
    # sales owner with this reason, accepted by hand by the document reviewer.
    credit_code_nonstandard_reason = models.TextField(_("why the credit code is non-standard"), blank=True)
    credit_code_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("non-standard credit code accepted by"),
    )
    credit_code_accepted_at = models.DateTimeField(_("non-standard credit code accepted at"), null=True, blank=True)
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    registered_capital = models.DecimalField(
        _("registered capital"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    capital_currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    registered_address = models.CharField(_("registered address"), max_length=300, blank=True)
    operating_address = models.CharField(_("operating address"), max_length=300, blank=True)
    industry = models.ForeignKey(
        Industry, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("industry")
    )
    customer_type = models.CharField(_("customer type"), max_length=20, choices=CustomerType.choices, blank=True)

    # Business background
    main_products = models.TextField(_("main products and services"), blank=True)
    market_position = models.CharField(_("market position"), max_length=10, choices=MarketPosition.choices, blank=True)
    top_customers = models.TextField(_("top customers"), blank=True)
    top_customer_share = models.DecimalField(
        _("share of revenue from top five customers (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    main_suppliers = models.TextField(_("main suppliers"), blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)

    # Credit record
    bureau_score = models.PositiveSmallIntegerField(_("credit bureau score"), null=True, blank=True)
    overdue_count_24m = models.PositiveSmallIntegerField(
        _("overdue records in the last 24 months"), null=True, blank=True
    )
    litigation_count = models.PositiveSmallIntegerField(_("litigation cases"), null=True, blank=True)
    tax_rating = models.CharField(_("tax credit rating"), max_length=1, choices=TaxRating.choices, blank=True)

    # Request
    requested_credit_limit = models.DecimalField(
        _("requested credit limit (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    requested_payment_terms = models.PositiveSmallIntegerField(
        _("requested payment terms"), choices=PaymentTerms.choices, null=True, blank=True
    )

    # A re-review's values taken from the customer record and its last approval, for the sales
    # owner to confirm: {field name: the value as the form shows it}.
    carried_over = models.JSONField(_("carried over"), default=dict, blank=True, editable=False)

    objects = ApplicationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "state_entered_at"]),
            # All applications and My applications, newest first, read a page off an index (issue 16).
            models.Index(fields=["-created_at"], name="application_newest_idx"),
            models.Index(fields=["created_by", "-created_at"], name="application_owner_newest_idx"),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return f"{self.reference} {self.display_name}"

    @property
    def reference(self) -> str:
        return f"APP-{self.pk:06d}" if self.pk else "APP-new"

    @property
    def display_name(self) -> str:
        return self.legal_name_zh or self.legal_name_en or str(_("(unnamed company)"))

    @property
    def is_open(self) -> bool:
        return self.state not in (State.APPROVED, State.REJECTED, State.WITHDRAWN)

    @property
    def credit_code_nonstandard(self) -> bool:
        """The credit code was entered as non-standard: not machine-verified (GB 32100)."""
        return bool(self.credit_code and self.credit_code_nonstandard_reason)

    @property
    def deadline(self):
        days = settings.STAGE_DEADLINE_DAYS.get(self.state)
        return self.state_entered_at + timedelta(days=days) if days is not None else None

    @property
    def is_overdue(self) -> bool:
        deadline = self.deadline
        return deadline is not None and deadline < timezone.now()

    # --- The pipeline. Bodies are empty: application_transition records everything. ---

    @transition(field=state, source=State.DRAFT, target=State.DOCUMENT_REVIEW,
                permission=perms.is_sales_owner, conditions=[condition("submit")])
    def submit(self) -> None: ...

    @transition(field=state, source=State.RETURNED, target=State.DOCUMENT_REVIEW,
                permission=perms.is_sales_owner, conditions=[condition("resubmit")])
    def resubmit(self) -> None: ...

    @transition(field=state, source=State.DOCUMENT_REVIEW, target=State.BACKGROUND_CHECK,
                permission=perms.is_stage_reviewer, conditions=[condition("pass_documents")])
    def pass_documents(self) -> None: ...

    @transition(field=state, source=State.BACKGROUND_CHECK, target=State.COMMITTEE_REVIEW,
                permission=perms.is_stage_reviewer, conditions=[condition("pass_background_check")])
    def pass_background_check(self) -> None: ...

    @transition(field=state, source=[State.DOCUMENT_REVIEW, State.BACKGROUND_CHECK, State.COMMITTEE_REVIEW],
                target=State.RETURNED, permission=perms.is_stage_reviewer,
                conditions=[condition("return_for_information")])
    def return_for_information(self) -> None: ...

    @transition(field=state, source=[State.DOCUMENT_REVIEW, State.BACKGROUND_CHECK], target=State.REJECTED,
                permission=perms.is_stage_reviewer, conditions=[condition("reject")])
    def reject(self) -> None: ...

    @transition(field=state, source=State.COMMITTEE_REVIEW, target=State.APPROVED,
                permission=perms.nobody, conditions=[condition("approve")])
    def approve(self) -> None: ...

    @transition(field=state, source=State.COMMITTEE_REVIEW, target=State.REJECTED,
                permission=perms.nobody, conditions=[condition("committee_reject")])
    def committee_reject(self) -> None: ...

    @transition(field=state, source=list(OPEN_STATES), target=State.WITHDRAWN, permission=perms.is_sales_owner,
                conditions=[condition("withdraw")])
    def withdraw(self) -> None: ...


class FinancialStatement(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="financials")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    revenue = models.DecimalField(_("revenue"), max_digits=18, decimal_places=2, null=True, blank=True)
    net_profit = models.DecimalField(_("net profit"), max_digits=18, decimal_places=2, null=True, blank=True)
    total_assets = models.DecimalField(_("total assets"), max_digits=18, decimal_places=2, null=True, blank=True)
    total_liabilities = models.DecimalField(
        _("total liabilities"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    current_assets = models.DecimalField(_("current assets"), max_digits=18, decimal_places=2, null=True, blank=True)
    current_liabilities = models.DecimalField(
        _("current liabilities"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    operating_cash_flow = models.DecimalField(
        _("operating cash flow"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["application", "fiscal_year"], name="one_statement_per_year")]
        verbose_name = _("financial statement")
        verbose_name_plural = _("financial statements")

    def __str__(self) -> str:
        return f"{self.fiscal_year}"


class Contact(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    title = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


def document_upload_path(instance: Document, filename: str) -> str:
    # Never use the client's name on disk: a server-generated name cannot escape the folder.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"documents/{instance.application_id}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, verbose_name=_("document type"))
    file = models.FileField(_("file"), upload_to=document_upload_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    is_current = models.BooleanField(_("current version"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.PENDING)
    review_reason = models.CharField(_("reason"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("carried over from"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["document_type__code", "-version"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.original_name

    @property
    def previewable(self) -> bool:
        return self.content_type in {"application/pdf", "image/jpeg", "image/png"}

    @cached_property
    def preview_pages(self) -> range:
        """Page numbers of a PDF's preview images (empty when it cannot be rendered)."""
        from onboarding.previews import page_count

        return range(1, page_count(self) + 1) if self.content_type == "application/pdf" else range(0)

    @property
    def preview_capped(self) -> bool:
        from onboarding.previews import MAX_PAGES

        return len(self.preview_pages) == MAX_PAGES


class StateChange(models.Model):
    """One row per state change of an application: the pipeline's history."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="state_changes")
    transition = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    # A reason the system wrote (the committee's votes, an alert), as a code with parameters
    # (accounts.messages) rendered in the reader's language; ``reason`` then holds it as written.
    reason_message = models.JSONField(_("reason code"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"

    @property
    def reason_text(self) -> str:
        """The reason as the reader reads it: a system reason in their language, a person's as written."""
        from accounts.messages import render

        return render(self.reason_message, default=self.reason) if self.reason_message else self.reason


class Comment(models.Model):
    """A remark on an application, visible to everyone who can see it; @mentions notify."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"), max_length=4000)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:50]


class ReviewCadence(models.Model):
    """How often customers of a tier are re-evaluated; set by risk managers (monitoring screens)."""

    tier = models.CharField(_("risk tier"), max_length=1, choices=Tier.choices, unique=True)
    months = models.PositiveSmallIntegerField(_("review every (months)"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["tier"]
        verbose_name = _("review cadence")
        verbose_name_plural = _("review cadences")

    def __str__(self) -> str:
        return f"{self.tier}: {self.months}"
