"""Scorecard versions, evaluations, the investigation policy and investigation records.

A published or retired scorecard version never changes: services create and publish
versions (``screening.services``), and ``save``/``delete`` below refuse any write to a
version that is no longer a draft, or to its criteria, bands and knock-out rules, so that
a stray ``save()`` in a shell or a future view cannot rewrite history either.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from onboarding.enums import Tier
from screening.enums import CriterionGroup, KnockOut, Metric, VersionStatus

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class ImmutableScorecard(ValidationError):
    """A write to a published or retired scorecard version."""


def _refuse_unless_draft(status: str | None) -> None:
    if status is not None and status != VersionStatus.DRAFT:
        raise ImmutableScorecard(_("A published or retired scorecard version cannot be changed; copy it to a draft."))


class ScorecardVersion(models.Model):
    number = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT, db_index=True
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("copied from")
    )
    # Null author and publisher mean "the system": the default model shipped with Vetted.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("author"),
    )
    publisher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("published by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    admission_threshold = models.DecimalField(
        _("admission threshold"), max_digits=5, decimal_places=2, validators=PERCENT,
        help_text=_("The least total score (0–100) that passes, when no knock-out fires."),
    )
    tier_a_min = models.DecimalField(_("tier A from"), max_digits=5, decimal_places=2, validators=PERCENT)
    tier_b_min = models.DecimalField(_("tier B from"), max_digits=5, decimal_places=2, validators=PERCENT)
    tier_c_min = models.DecimalField(_("tier C from"), max_digits=5, decimal_places=2, validators=PERCENT)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status=VersionStatus.PUBLISHED), name="one_published_scorecard"
            ),
            # Maker-checker: nobody publishes their own version (NULL = system passes).
            models.CheckConstraint(condition=~Q(publisher=F("author")), name="scorecard_publisher_not_author"),
            models.CheckConstraint(
                condition=Q(tier_a_min__gte=F("tier_b_min"), tier_b_min__gte=F("tier_c_min")),
                name="scorecard_tiers_ordered",
                violation_error_message=_("Tier thresholds must go down from A to C (A ≥ B ≥ C)."),
            ),
        ]
        verbose_name = _("scorecard version")
        verbose_name_plural = _("scorecard versions")

    def __str__(self) -> str:
        return _("Scorecard v%(number)s (%(status)s)") % {"number": self.number, "status": self.get_status_display()}

    def save(self, *args, **kwargs) -> None:
        if self.pk is None:
            # New versions start as drafts; publishing is a service (maker-checker, row lock).
            if self.status != VersionStatus.DRAFT:
                raise ImmutableScorecard(_("A scorecard version is created as a draft."))
        else:
            stored = ScorecardVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            update_fields = set(kwargs.get("update_fields") or ())
            # The only changes allowed after publication: publishing itself (from draft) and retiring.
            retiring = (
                stored == VersionStatus.PUBLISHED and self.status == VersionStatus.RETIRED
                and update_fields and update_fields <= {"status", "retired_at"}
            )
            if not retiring:
                _refuse_unless_draft(stored)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_unless_draft(ScorecardVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first())
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class VersionPart(models.Model):
    """Criteria, bands and rules belong to a version and are frozen with it."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        _refuse_unless_draft(self._version_status())
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_unless_draft(self._version_status())
        return super().delete(*args, **kwargs)

    def _version_status(self) -> str | None:
        raise NotImplementedError


class Criterion(VersionPart):
    version = models.ForeignKey(ScorecardVersion, on_delete=models.CASCADE, related_name="criteria")
    group = models.CharField(_("group"), max_length=10, choices=CriterionGroup.choices)
    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("Leave empty to use the metric's name (translated).")
    )
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0"))],
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["ordering", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "metric"], name="one_criterion_per_metric")]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.label or self.get_metric_display()

    def _version_status(self) -> str | None:
        return ScorecardVersion.objects.filter(pk=self.version_id).values_list("status", flat=True).first()


class Band(VersionPart):
    """Maps a metric value to points: ``lower`` ≤ value < ``upper`` (open ends allowed), or a category."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="bands")
    lower = models.DecimalField(_("from (inclusive)"), max_digits=18, decimal_places=4, null=True, blank=True)
    upper = models.DecimalField(_("to (exclusive)"), max_digits=18, decimal_places=4, null=True, blank=True)
    category = models.CharField(_("category"), max_length=20, blank=True)
    points = models.PositiveSmallIntegerField(_("points"), validators=[MaxValueValidator(100)])

    class Meta:
        # Open lower end first, then ascending; categories in the order they were entered.
        ordering = [F("lower").asc(nulls_first=True), "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points__lte=100), name="band_points_at_most_100"),
            models.CheckConstraint(
                condition=Q(lower__isnull=True) | Q(upper__isnull=True) | Q(lower__lt=F("upper")),
                name="band_lower_below_upper",
                violation_error_message=_("The upper bound must be above the lower bound."),
            ),
        ]
        verbose_name = _("band")
        verbose_name_plural = _("bands")

    def __str__(self) -> str:
        if self.category:
            return f"{self.category}: {self.points}"
        return f"[{self.lower}, {self.upper}): {self.points}"

    def _version_status(self) -> str | None:
        return (
            ScorecardVersion.objects.filter(criteria__pk=self.criterion_id).values_list("status", flat=True).first()
        )


class KnockOutRule(VersionPart):
    version = models.ForeignKey(ScorecardVersion, on_delete=models.CASCADE, related_name="knockout_rules")
    code = models.CharField(_("rule"), max_length=30, choices=KnockOut.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="one_rule_per_code")]
        verbose_name = _("knock-out rule")
        verbose_name_plural = _("knock-out rules")

    def __str__(self) -> str:
        return self.get_code_display()

    def _version_status(self) -> str | None:
        return ScorecardVersion.objects.filter(pk=self.version_id).values_list("status", flat=True).first()


class Evaluation(models.Model):
    """A snapshot: which model scored which inputs, with what outcome. Never updated."""

    application = models.ForeignKey(
        "onboarding.Application", on_delete=models.CASCADE, null=True, blank=True, related_name="evaluations",
        verbose_name=_("application"), db_index=False,  # led by evaluation_application_latest
    )
    customer = models.ForeignKey(
        "onboarding.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="evaluations",
        verbose_name=_("customer"), db_index=False,  # led by evaluation_customer_latest
    )
    version = models.ForeignKey(
        ScorecardVersion, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("scorecard version")
    )
    inputs = models.JSONField(_("inputs"))
    result = models.JSONField(_("result"))
    total = models.DecimalField(pgettext_lazy("scorecard score", "score"), max_digits=5, decimal_places=2)
    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices)
    knockouts = models.JSONField(_("knock-outs"), default=list, blank=True)
    passed = models.BooleanField(_("passed"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("evaluated at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Monitoring reads a customer's latest evaluations; the application page its latest one.
            models.Index(F("customer"), F("created_at").desc(), name="evaluation_customer_latest"),
            models.Index(F("application"), F("created_at").desc(), name="evaluation_application_latest"),
        ]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.total} ({self.tier})"

    @property
    def evaluation_result(self):
        from screening.scoring import EvaluationResult

        return EvaluationResult.from_dict(self.result)


class InvestigationPolicy(models.Model):
    """Which investigation records an application needs before the committee. One row (pk 1)."""

    interview_always = models.BooleanField(_("interview always required"), default=True)
    site_visit_tiers = models.JSONField(_("site visit required for tiers"), default=list, blank=True)
    site_visit_limit_above = models.DecimalField(
        _("site visit required above this requested limit (CNY)"), max_digits=16, decimal_places=2,
        null=True, blank=True,
    )
    report_tiers = models.JSONField(_("third-party report required for tiers"), default=list, blank=True)
    report_limit_above = models.DecimalField(
        _("third-party report required above this requested limit (CNY)"), max_digits=16, decimal_places=2,
        null=True, blank=True,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="single_investigation_policy")]
        verbose_name = _("investigation policy")
        verbose_name_plural = _("investigation policy")

    def __str__(self) -> str:
        return str(_("Investigation policy"))


def _upload_path(folder: str, application_id: int, filename: str) -> str:
    # Never the client's name on disk: a server-generated name cannot escape the folder.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"investigation/{application_id}/{folder}/{uuid.uuid4().hex}{suffix}"


def site_visit_photo_path(instance: SiteVisitPhoto, filename: str) -> str:
    return _upload_path("photos", instance.site_visit.application_id, filename)


def third_party_report_path(instance: ThirdPartyReport, filename: str) -> str:
    return _upload_path("reports", instance.application_id, filename)


class InvestigationRecord(models.Model):
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]


class Interview(InvestigationRecord):
    application = models.ForeignKey(
        "onboarding.Application", on_delete=models.CASCADE, related_name="interviews", verbose_name=_("application")
    )
    date = models.DateField(_("date"))
    participants = models.TextField(_("participants"), max_length=1000)
    business_model = models.TextField(_("business model"), max_length=4000)
    management = models.TextField(_("management team"), max_length=4000)
    plans = models.TextField(_("plans"), max_length=4000, blank=True)
    findings = models.TextField(_("findings"), max_length=4000)

    class Meta(InvestigationRecord.Meta):
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")

    def __str__(self) -> str:
        return f"{_('Interview')} {self.date}"


class SiteVisit(InvestigationRecord):
    application = models.ForeignKey(
        "onboarding.Application", on_delete=models.CASCADE, related_name="site_visits", verbose_name=_("application")
    )
    date = models.DateField(_("date"))
    address = models.CharField(_("address visited"), max_length=300)
    operations = models.TextField(_("operations"), max_length=4000)
    premises = models.TextField(_("premises"), max_length=4000)
    staff = models.TextField(_("staff"), max_length=4000)

    class Meta(InvestigationRecord.Meta):
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")

    def __str__(self) -> str:
        return f"{_('Site visit')} {self.date}"


class StoredFile(models.Model):
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        abstract = True


class SiteVisitPhoto(StoredFile):
    site_visit = models.ForeignKey(SiteVisit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=site_visit_photo_path, max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("site visit photo")
        verbose_name_plural = _("site visit photos")

    def __str__(self) -> str:
        return self.original_name


class ThirdPartyReport(InvestigationRecord, StoredFile):
    application = models.ForeignKey(
        "onboarding.Application", on_delete=models.CASCADE, related_name="third_party_reports",
        verbose_name=_("application"),
    )
    provider = models.CharField(_("provider"), max_length=200)
    report_date = models.DateField(_("report date"))
    conclusion = models.TextField(_("conclusion"), max_length=4000)
    file = models.FileField(_("report file"), upload_to=third_party_report_path, max_length=200)

    class Meta(InvestigationRecord.Meta):
        verbose_name = _("third-party report")
        verbose_name_plural = _("third-party reports")

    def __str__(self) -> str:
        return f"{self.provider} {self.report_date}"
