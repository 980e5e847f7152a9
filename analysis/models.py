"""The case library: a customer or a rejected application written up as a success or a failure."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")


class Case(models.Model):
    """Facts are a snapshot of the record when the case was written (codes and figures, labelled when shown)."""

    kind = models.CharField(_("kind"), max_length=10, choices=CaseKind.choices)
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey("onboarding.Customer", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="cases", verbose_name=_("customer"))
    application = models.ForeignKey("onboarding.Application", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="cases", verbose_name=_("application"))
    facts = models.JSONField(_("facts"), default=dict)
    analysis = models.TextField(_("analysis"), max_length=20000)
    caught_by = models.CharField(_("what would have caught it"), max_length=500, blank=True)
    lessons = models.TextField(_("lessons learned"), max_length=20000, blank=True)
    # ",tag1,tag2," so that one tag is found with a plain contains lookup on every database.
    tags = models.CharField(_("tags"), max_length=500, blank=True)
    published_to = models.JSONField(_("published to"), default=list, blank=True)  # role codes
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("written by"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(customer__isnull=False) | models.Q(application__isnull=False),
                name="analysis_case_is_about_something",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]


class FunnelStay(models.Model):
    """One stay of an application in a funnel stage, summarised from onboarding's state history.

    The funnel page aggregates these rows (``analysis.funnel``) instead of walking every state
    change of the period per request. Kept up to date by ``analysis.funnel.stays_refresh``:
    the history is append-only, so the applications with a state change newer than
    ``FunnelMark.last_change_id`` are the only ones to rebuild.
    """

    application = models.ForeignKey("onboarding.Application", on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=30)
    entered_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    went_to = models.CharField(max_length=30, blank=True)  # the state it left for ("" while still there)
    days = models.FloatField(null=True, blank=True)  # (left − entered) in days, None while still there
    moved_on = models.BooleanField(default=False)  # reached the next stage later in its history

    class Meta:
        indexes = [models.Index(fields=["entered_at", "stage"], name="analysis_stay_entered")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.stage} {self.entered_at:%Y-%m-%d}"


class FunnelMark(models.Model):
    """The newest ``StateChange`` id summarised into ``FunnelStay`` (a single row, pk 1)."""

    last_change_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.last_change_id)


class CaseCitation(models.Model):
    """A case cited in a scorecard version's change note: why the version changed what it changed.

    Added and removed while the version is a draft (by risk managers); frozen once it is
    published, like the version itself. Screening shows them through the ``scorecard_version``
    panel slot (it does not know about cases).
    """

    version = models.ForeignKey("screening.ScorecardVersion", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("scorecard version"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="citations", verbose_name=_("case"))
    cited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("cited by"))
    cited_at = models.DateTimeField(_("cited at"), default=timezone.now)

    class Meta:
        ordering = ["cited_at", "pk"]
        verbose_name = _("case citation")
        verbose_name_plural = _("case citations")
        constraints = [models.UniqueConstraint(fields=["version", "case"], name="analysis_case_cited_once")]

    def __str__(self) -> str:
        return f"{self.version_id} ← {self.case_id}"
