"""Writes for onboarding: the one state-change function, intake, documents, admission."""

from __future__ import annotations

import django.dispatch
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from accounts import gates
from accounts.messages import Message, choice, encode, message
from accounts.models import User
from accounts.roles import Role
from onboarding import guards
from onboarding import messages as _messages  # noqa: F401  (registers the codes used here)
from onboarding import permissions as perms
from onboarding.enums import OPEN_STATES, CustomerStatus, DocumentStatus, State
from onboarding.models import Application, Customer, CustomerCondition, Document, DocumentType, StateChange
from onboarding.validators import check_upload

# Sent inside the transaction after every state change. Receivers in other apps queue
# their side effects with transaction.on_commit (screening runs on entering background
# check, approvals opens a round on entering committee review, notifications go out).
state_changed = django.dispatch.Signal()  # sender=Application, application, change

TRANSITIONS = (
    "submit", "resubmit", "pass_documents", "pass_background_check", "return_for_information",
    "reject", "approve", "committee_reject", "withdraw",
)
# The committee rule (approvals) takes these out of committee review; nothing else acts as the system.
SYSTEM_TRANSITIONS = {"approve", "committee_reject", "return_for_information"}
REASON_REQUIRED = {"return_for_information", "reject", "committee_reject"}
# Transitions a person takes in a role (accounts.gates: e.g. required training); withdrawing is never held up.
GATED_TRANSITIONS = {"submit", "resubmit", "pass_documents", "pass_background_check", "return_for_information", "reject"}
TRANSITION_LABELS = {
    "submit": lambda: _("Submit"),
    "resubmit": lambda: _("Resubmit"),
    "pass_documents": lambda: _("Pass to background check"),
    "pass_background_check": lambda: _("Pass to committee"),
    "return_for_information": lambda: _("Return for information"),
    "reject": lambda: _("Reject"),
    "approve": lambda: _("Approve"),
    "committee_reject": lambda: _("Reject"),
    "withdraw": lambda: _("Withdraw"),
}
TRANSITION_DONE_MESSAGES = {
    "submit": lambda: _("Application submitted for document review."),
    "resubmit": lambda: _("Application resubmitted for document review."),
    "pass_documents": lambda: _("Documents passed: the application moves to background check."),
    "pass_background_check": lambda: _("Background check passed: the application moves to the committee."),
    "return_for_information": lambda: _("Application returned to its sales owner."),
    "reject": lambda: _("Application rejected."),
    "approve": lambda: _("Application approved."),
    "committee_reject": lambda: _("Application rejected."),
    "withdraw": lambda: _("Application withdrawn."),
}


class TransitionRefused(Exception):
    """A transition that may not or cannot be taken now; ``messages`` say why, for the user."""

    def __init__(self, *messages: str) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)


def application_transition(
    *,
    application_id: int,
    transition: str,
    actor: User | None,
    reason: str | Message = "",
    expected_state: str | None = None,
    as_system: bool = False,
) -> StateChange:
    """Take one transition of the pipeline; the only code that changes ``Application.state``.

    In one transaction, under a row lock: checks the transition exists from the current
    state, that ``actor`` may take it (skipped for ``as_system``, the committee rule), its
    guard and reason; changes the state; stamps who worked on the application; writes a
    ``StateChange`` row; sends ``state_changed`` (receivers queue side effects on commit).

    ``expected_state`` is the state the user saw: if another person moved the application
    meanwhile, the user is told instead of acting on a state they did not see.

    ``reason`` is a person's words, or a ``Message`` when the system writes it (the committee's
    votes): that is stored as a code and read in each reader's language.

    Raises ``TransitionRefused`` with messages for the user.
    """
    if transition not in TRANSITIONS:
        raise TransitionRefused(_("Unknown action."))
    reason_message = reason.as_data() if isinstance(reason, Message) else None
    reason = str(reason or "").strip()
    with transaction.atomic():
        try:
            application = Application.objects.select_for_update().get(pk=application_id)
        except Application.DoesNotExist:
            raise TransitionRefused(_("This application does not exist.")) from None
        from_state = application.state
        if expected_state is not None and expected_state != from_state:
            raise TransitionRefused(
                _("Someone else has just acted on this application: it is now “%(state)s”. Nothing was changed.")
                % {"state": application.get_state_display()}
            )
        method = getattr(application, transition)
        meta_transition = method._django_fsm.get_transition(from_state)
        if meta_transition is None:
            raise TransitionRefused(
                _("This action is not possible while the application is “%(state)s”.")
                % {"state": application.get_state_display()}
            )
        if as_system and not (from_state == State.COMMITTEE_REVIEW and transition in SYSTEM_TRANSITIONS):
            raise TransitionRefused(_("Only the committee decision can take this action."))
        # Permission on its own (django-fsm's has_transition_perm also checks the guards, whose
        # messages are reported separately below).
        if not as_system and not meta_transition.has_perm(application, actor):
            raise TransitionRefused(
                perms.stage_refusal(application, actor)
                or _("You are not allowed to take this action on this application.")
            )
        if not as_system and transition in GATED_TRANSITIONS:
            role = Role.SALES if transition in ("submit", "resubmit") else perms.STAGE_ROLE.get(from_state)
            refused = gates.refusals(actor, action=transition, role=role) if role else []
            if refused:
                raise TransitionRefused(*refused)
        if transition in REASON_REQUIRED and not reason:
            raise TransitionRefused(_("Please give a reason."))
        problems = guards.blockers(application, transition)
        if problems:
            raise TransitionRefused(*problems)
        try:
            method()
        except TransitionNotAllowed:
            raise TransitionRefused(_("This action is not possible now.")) from None
        now = timezone.now()
        application.state_entered_at = now
        if transition == "submit":
            application.submitted_at = now
        if application.state in (State.APPROVED, State.REJECTED, State.WITHDRAWN):
            application.decided_at = now
        if from_state == State.DOCUMENT_REVIEW and actor is not None and not as_system:
            application.document_reviewer = actor
        if from_state == State.BACKGROUND_CHECK and actor is not None and not as_system:
            application.investigator = actor
        # The history row names the transition (the audit trail shows its label and the reason of
        # the StateChange); simple-history keeps only 100 characters, the StateChange all of it.
        application._change_reason = transition
        # Named outside a request too (tasks, the API's own thread): the audit trail says who.
        application._history_user = actor
        try:
            application.save()
        except ConcurrentTransition:
            raise TransitionRefused(_("Someone else has just acted on this application. Nothing was changed.")) from None
        change = StateChange.objects.create(
            application=application, transition=transition, from_state=from_state, to_state=application.state,
            actor=actor, reason=reason, reason_message=reason_message, created_at=now,
        )
        state_changed.send(sender=Application, application=application, change=change)
    return change


def available_transitions(application: Application, user: User) -> list[str]:
    """The transitions ``user`` may take on ``application`` in its state, guards aside.

    Guards are left out on purpose: the page shows the button and, if blocked, why.
    """
    found = []
    for name in TRANSITIONS:
        meta_transition = getattr(application, name)._django_fsm.get_transition(application.state)
        if meta_transition is not None and meta_transition.has_perm(application, user):
            found.append(name)
    return found


@transaction.atomic
def application_save(*, application: Application | None, form, financials, contacts, actor: User) -> Application:
    """Save the unified form with its statements and contacts (a draft, or before submitting)."""
    if application is None:
        if not perms.can_create(actor):
            raise PermissionDenied(_("Only sales staff can create applications."))
        instance = form.save(commit=False)
        instance.created_by = actor
        instance.save()
    else:
        if not perms.can_edit(actor, application):
            raise PermissionDenied(_("This application can no longer be edited."))
        instance = form.save(commit=False)
        if {"credit_code", "credit_code_nonstandard_reason"} & set(form.changed_data):
            # Another code or reason: the reviewer's acceptance was of the previous one.
            instance.credit_code_accepted_by = None
            instance.credit_code_accepted_at = None
        instance.save()
        form.save_m2m()
    financials.instance = instance
    financials.save()
    contacts.instance = instance
    contacts.save()
    return instance


def documents_upload(
    *, application: Application, document_type: DocumentType, uploads: list[UploadedFile], actor: User
) -> tuple[list[str], list[str]]:
    """Store each acceptable file; refuse the others one by one. Returns (stored names, errors)."""
    stored, errors = [], []
    for upload in uploads:
        try:
            document = document_upload(application=application, document_type=document_type, upload=upload, actor=actor)
        except ValidationError as error:
            errors.extend(error.messages)
        else:
            stored.append(document.original_name)
    return stored, errors


@transaction.atomic
def document_upload(
    *, application: Application, document_type: DocumentType, upload: UploadedFile, actor: User,
    replaces: Document | None = None,
) -> Document:
    """Store one checked upload. A replacement becomes the next version; the old one stays visible."""
    if not perms.can_edit(actor, application):
        raise PermissionDenied(_("You cannot add documents to this application now."))
    checked = check_upload(upload)
    version = 1
    if replaces is not None:
        replaces = Document.objects.select_for_update().get(pk=replaces.pk)
        if replaces.application_id != application.pk or not replaces.is_current:
            raise ValidationError(_("This document has already been replaced."))
        replaces.is_current = False
        replaces.save(update_fields=["is_current"])
        document_type = replaces.document_type
        version = replaces.version + 1
    return Document.objects.create(
        application=application, document_type=document_type, file=upload,
        original_name=checked.original_name, content_type=checked.content_type, size=checked.size,
        sha256=checked.sha256, uploaded_by=actor, version=version, replaces=replaces,
    )


@transaction.atomic
def document_remove(*, document: Document, actor: User) -> None:
    """Delete a document that was never reviewed (a draft's mistake). Reviewed ones stay for the record."""
    application = document.application
    if not perms.can_edit(actor, application) or document.status != DocumentStatus.PENDING:
        raise PermissionDenied(_("This document can no longer be removed."))
    if document.replaces_id:
        Document.objects.filter(pk=document.replaces_id).update(is_current=True)
    document.file.delete(save=False)
    document.delete()


def credit_code_accept(*, application_id: int, actor: User) -> Application:
    """The document reviewer accepts the application's non-standard credit code by hand."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application_id)
        if not perms.can_review_documents(actor, application):
            raise PermissionDenied(
                perms.stage_refusal(application, actor)
                or _("You cannot review this application now.")
            )
        if not application.credit_code_nonstandard:
            raise ValidationError(_("This application's credit code was machine-verified: there is nothing to accept."))
        if application.credit_code_accepted_by_id is None:
            application.credit_code_accepted_by = actor
            application.credit_code_accepted_at = timezone.now()
            application._change_reason = "accept non-standard credit code"
            application.save(update_fields=["credit_code_accepted_by", "credit_code_accepted_at", "updated_at"])
    return application


def document_review(
    *, document_id: int, actor: User, accept: bool, reason: str = "", expires_on=None
) -> Document:
    """Accept or reject one document (a reason is required to reject).

    ``expires_on``: the expiry date printed on it (a licence, an ID), which decides whether the
    accepted copy carries over to a later re-review (``document_still_valid``).
    """
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationError(_("Please say why the document is rejected."))
    with transaction.atomic():
        document = Document.objects.select_for_update().select_related("application").get(pk=document_id)
        if not perms.can_review_documents(actor, document.application):
            raise PermissionDenied(
                perms.stage_refusal(document.application, actor)
                or _("You cannot review documents of this application now.")
            )
        refused = gates.refusals(actor, action="document_review", role=Role.DOCUMENT_REVIEWER)
        if refused:
            raise ValidationError(refused)
        if not document.is_current:
            raise ValidationError(_("This document has been replaced by a newer version."))
        document.status = DocumentStatus.ACCEPTED if accept else DocumentStatus.REJECTED
        document.review_reason = reason
        document.reviewed_by = actor
        document.reviewed_at = timezone.now()
        document._history_user = actor
        document.expires_on = expires_on if accept else None
        document.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at", "expires_on"])
    return document


@transaction.atomic
def customer_admit(
    *,
    application: Application,
    tier: str,
    credit_limit,
    payment_terms_days: int,
    next_review_date,
    conditions: list[tuple[str, object]] = (),
) -> Customer:
    """Create, reactivate or re-term the Customer of an approved application.

    Called by the committee decision (approvals) in the same transaction as the ``approve``
    transition. A new application creates the customer, or reactivates an offboarded one with
    the same credit code; a re-review keeps the customer and applies the new terms. Conditions
    become ``CustomerCondition`` rows with due dates. Writes history rows (simple-history).
    """
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.state != State.APPROVED:
        raise ValidationError(_("Only an approved application admits a customer."))
    customer = application.customer or Customer.objects.select_for_update().filter(
        credit_code=application.credit_code
    ).first()
    terms = {
        "tier": tier, "credit_limit": credit_limit, "payment_terms_days": payment_terms_days,
        "next_review_date": next_review_date, "status": CustomerStatus.ACTIVE,
        "name": application.display_name, "customer_type": application.customer_type,
        "industry_id": application.industry_id,
    }
    admitted = encode(message("onboarding.customer_admitted", reference=application.reference))
    if customer is None:
        customer = Customer(credit_code=application.credit_code, sales_owner=application.created_by, **terms)
        customer._change_reason = admitted
        customer.save()
    else:
        for field, value in terms.items():
            setattr(customer, field, value)
        if application.kind == "new":
            customer.admitted_at = timezone.now()
            customer.sales_owner = application.created_by
        customer._change_reason = admitted
        customer.save()
    Application.objects.filter(pk=application.pk).update(customer=customer)
    CustomerCondition.objects.bulk_create(
        CustomerCondition(customer=customer, application=application, text=text, due_date=due)
        for text, due in conditions
    )
    return customer


@transaction.atomic
def customer_set_status(*, customer: Customer, status: str, reason: str | Message = "") -> Customer:
    """Put a customer under review, suspend, reactivate or offboard it (history row written).

    ``reason`` is best a ``Message`` (stored as its code, read in the reader's language).
    """
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    customer.status = status
    customer._change_reason = encode(
        reason or message("onboarding.customer_status", status=choice("onboarding.customer_status", status))
    )
    customer.save(update_fields=["status"])
    return customer


COPIED_FIELDS = (
    "legal_name_zh", "legal_name_en", "credit_code", "registration_date", "registered_capital", "capital_currency",
    "legal_representative", "registered_address", "operating_address", "industry_id", "customer_type",
    "main_products", "market_position", "top_customers", "top_customer_share", "main_suppliers", "employees",
    "bureau_score", "overdue_count_24m", "litigation_count", "tax_rating", "requested_credit_limit",
    "requested_payment_terms",
)


def _form_value(value) -> str:
    """A value as the application form shows it (how the carried-over mark recognises it unchanged)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def document_still_valid(document: Document, *, today=None) -> bool:
    """Whether an accepted copy may be carried over to a re-review (its type's validity, see DocumentType)."""
    from onboarding.selectors import add_months

    today = today or timezone.localdate()
    kind = document.document_type
    if document.status != DocumentStatus.ACCEPTED or not document.is_current:
        return False
    if kind.valid_until_expiry:
        return document.expires_on is not None and document.expires_on >= today
    if kind.validity_months:
        return add_months(timezone.localdate(document.uploaded_at), kind.validity_months) >= today
    return False


def _carry_documents(*, source: Application, review: Application) -> list[Document]:
    """Copies of the source's still-valid accepted documents, accepted in the re-review (own files)."""
    from django.core.files.base import ContentFile

    carried = []
    for original in source.documents.filter(is_current=True).select_related("document_type"):
        if not document_still_valid(original):
            continue
        try:
            with original.file.open("rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            continue  # the file is gone: listed as needed like any other
        copy = Document(
            application=review, document_type=original.document_type, original_name=original.original_name,
            content_type=original.content_type, size=original.size, sha256=original.sha256,
            uploaded_by=original.uploaded_by, status=DocumentStatus.ACCEPTED, reviewed_by=original.reviewed_by,
            reviewed_at=original.reviewed_at, expires_on=original.expires_on, carried_from=original,
        )
        # A file of its own: removing or replacing one copy never touches the other.
        copy.file.save(original.original_name, ContentFile(content), save=False)
        copy.save()
        carried.append(copy)
    return carried


@transaction.atomic
def application_open_review(*, customer: Customer, reason: str | Message) -> Application:
    """Open a re-review of an admitted customer: a draft of kind ``review`` for its sales owner.

    Starts from what is known: every field of the customer's last approved application, then
    what the customer record says now (type, industry, name, the credit limit and terms in force);
    those values are listed in ``carried_over`` for the owner to confirm. Statements and contacts
    are copied; accepted documents still within their type's validity carry over as accepted
    copies (``_carry_documents``), the others are listed as needed by the checklist. The customer
    is put ``under_review``. If a review is already open it is returned instead of a second one.
    """
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    open_review = customer.applications.filter(kind="review", state__in=OPEN_STATES).first()
    if open_review is not None:
        return open_review
    source = customer.applications.filter(state=State.APPROVED).order_by("-decided_at").first()
    review = Application(kind="review", customer=customer, created_by=customer.sales_owner)
    known = {field: getattr(source, field) for field in COPIED_FIELDS} if source is not None else {}
    # The customer record is the newer word on what it holds.
    if not (known.get("legal_name_zh") or known.get("legal_name_en")):
        cjk = any("\u4e00" <= c <= "\u9fff" for c in customer.name)
        known["legal_name_zh" if cjk else "legal_name_en"] = customer.name
    known["credit_code"] = customer.credit_code
    if customer.customer_type:
        known["customer_type"] = customer.customer_type
    if customer.industry_id:
        known["industry_id"] = customer.industry_id
    if customer.credit_limit:
        known["requested_credit_limit"] = customer.credit_limit
    if customer.payment_terms_days is not None:
        known["requested_payment_terms"] = customer.payment_terms_days
    for field, value in known.items():
        setattr(review, field, value)
    review.carried_over = {
        field.removesuffix("_id"): _form_value(value) for field, value in known.items() if value not in (None, "")
    }
    review._change_reason = encode(reason)
    review.save()
    if source is not None:
        for statement in source.financials.all():
            statement.pk, statement.application = None, review
            statement.save()
        for contact in source.contacts.all():
            contact.pk, contact.application = None, review
            contact.save()
        _carry_documents(source=source, review=review)
    customer_set_status(customer=customer, status=CustomerStatus.UNDER_REVIEW, reason=reason)
    return review
