from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DOCUMENT_REVIEW = "document_review", _("Document review")
    BACKGROUND_CHECK = "background_check", _("Background check")
    COMMITTEE_REVIEW = "committee_review", _("Committee review")
    RETURNED = "returned", _("Returned for information")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


FINAL_STATES = (State.APPROVED, State.REJECTED, State.WITHDRAWN)
OPEN_STATES = (State.DRAFT, State.DOCUMENT_REVIEW, State.BACKGROUND_CHECK, State.COMMITTEE_REVIEW, State.RETURNED)
REVIEW_STATES = (State.DOCUMENT_REVIEW, State.BACKGROUND_CHECK, State.COMMITTEE_REVIEW)


class ApplicationKind(models.TextChoices):
    NEW = "new", _("New customer")
    REVIEW = "review", _("Re-review")


class CustomerType(models.TextChoices):
    CORPORATE = "corporate", _("Large enterprise")
    SME = "sme", _("Small or medium enterprise")
    STATE_OWNED = "state_owned", _("State-owned enterprise")
    FOREIGN = "foreign", _("Foreign-invested enterprise")
    SOLE_PROPRIETOR = "sole_proprietor", _("Individual business")


class Currency(models.TextChoices):
    CNY = "CNY", _("Chinese yuan (CNY)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    HKD = "HKD", _("Hong Kong dollar (HKD)")


class MarketPosition(models.TextChoices):
    LEADER = "leader", _("Industry leader")
    STRONG = "strong", _("Strong regional player")
    AVERAGE = "average", _("Average")
    WEAK = "weak", _("Marginal")


class TaxRating(models.TextChoices):
    A = "A", _("A — excellent")
    B = "B", _("B — good")
    M = "M", _("M — new or small taxpayer")
    C = "C", _("C — poor")
    D = "D", _("D — untrustworthy")


class PaymentTerms(models.IntegerChoices):
    PREPAID = 0, _("Payment in advance")
    NET_30 = 30, _("30 days")
    NET_45 = 45, _("45 days")
    NET_60 = 60, _("60 days")
    NET_90 = 90, _("90 days")


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("customer status", "Active")
    UNDER_REVIEW = "under_review", _("Under review")
    SUSPENDED = "suspended", _("Suspended")
    OFFBOARDED = "offboarded", _("Offboarded")


class Tier(models.TextChoices):
    A = "A", _("Tier A")
    B = "B", _("Tier B")
    C = "C", _("Tier C")
    D = "D", _("Tier D")
