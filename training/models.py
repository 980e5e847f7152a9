"""Playbooks (versioned), courses with lessons and a quiz, attempts, required training, waivers,
and briefings on rule changes with their read and acknowledgement receipts.

Shipped texts are bilingual (``*_en`` and ``*_zh`` fields): they are content, not interface
strings, so they live in the database and the reader's language picks the field (``localized``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


def localized(obj, field: str) -> str:
    """``obj.<field>_zh`` for a Chinese reader (falling back to English when empty), else ``_en``."""
    if (get_language() or "").startswith("zh"):
        return getattr(obj, f"{field}_zh") or getattr(obj, f"{field}_en")
    return getattr(obj, f"{field}_en") or getattr(obj, f"{field}_zh")


class Playbook(models.Model):
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, unique=True)

    class Meta:
        ordering = ["role"]
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")

    def __str__(self) -> str:
        return str(Role(self.role).label)


class PlaybookVersion(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    body_en = models.TextField(_("text (English, Markdown)"))
    body_zh = models.TextField(_("text (Chinese, Markdown)"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("author"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["playbook", "-number"]
        constraints = [models.UniqueConstraint(fields=["playbook", "number"], name="one_playbook_version_number")]
        verbose_name = _("playbook version")
        verbose_name_plural = _("playbook versions")

    def __str__(self) -> str:
        return f"{self.playbook} v{self.number}"

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def body(self) -> str:
        return localized(self, "body")


class PlaybookRead(models.Model):
    """The version of a playbook a person last read (to show what changed since)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="reads")
    number = models.PositiveIntegerField()
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "playbook"], name="one_playbook_read_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.playbook_id} v{self.number}"


class Course(models.Model):
    slug = models.SlugField(unique=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    playbook = models.ForeignKey(Playbook, on_delete=models.SET_NULL, null=True, blank=True, related_name="courses")
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=75)

    class Meta:
        ordering = ["role", "slug"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def summary(self) -> str:
        return localized(self, "summary")


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    order = models.PositiveSmallIntegerField(default=0)
    title_en = models.CharField(max_length=200)
    title_zh = models.CharField(max_length=200)
    body_en = models.TextField()
    body_zh = models.TextField()

    class Meta:
        ordering = ["course", "order"]

    def __str__(self) -> str:
        return self.title


    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def body(self) -> str:
        return localized(self, "body")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")


class Question(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    text_en = models.TextField()
    text_zh = models.TextField()
    explanation_en = models.TextField()
    explanation_zh = models.TextField()

    class Meta:
        ordering = ["course", "order"]

    def __str__(self) -> str:
        return self.text


    @property
    def text(self) -> str:
        return localized(self, "text")

    @property
    def explanation(self) -> str:
        return localized(self, "explanation")


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField(default=0)
    text_en = models.CharField(max_length=300)
    text_zh = models.CharField(max_length=300)
    correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "order"]

    def __str__(self) -> str:
        return self.text


    @property
    def text(self) -> str:
        return localized(self, "text")


class Attempt(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_attempts")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="attempts")
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed = models.BooleanField(_("passed"))
    answers = models.JSONField(default=dict)  # question id → chosen choice ids
    created_at = models.DateTimeField(_("taken at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "course", "passed"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.course_id} {self.score}%"


class RequiredTraining(models.Model):
    """A course a role must have passed (within ``valid_days`` when set) before its gated actions."""

    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("course"))
    valid_days = models.PositiveIntegerField(_("valid for (days)"), null=True, blank=True,
                                             help_text=_("Empty: a pass never expires."))

    class Meta:
        ordering = ["role", "course"]
        constraints = [models.UniqueConstraint(fields=["role", "course"], name="one_requirement_per_role_course")]
        verbose_name = _("required training")
        verbose_name_plural = _("required training")

    def __str__(self) -> str:
        return f"{self.role}: {self.course_id}"


class Waiver(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_waivers",
                             verbose_name=_("person"))
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="waivers", verbose_name=_("course"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("granted by"))
    created_at = models.DateTimeField(_("granted at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("training waiver")
        verbose_name_plural = _("training waivers")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.course_id}"


class BriefingKind(models.TextChoices):
    SCORECARD = "scorecard", _("Scorecard published")
    COMMITTEE_POLICY = "committee_policy", _("Committee policy changed (tier)")
    MONITORING = "monitoring", _("Monitoring settings changed")


class Briefing(models.Model):
    """What changed in the rules, by whom, approved by whom, with the author's note.

    ``changes`` are data, rendered in the reader's language when read: a list of
    ``{"subject": ..., "field": <code of training.briefings.FIELD_LABELS>, "old": ..., "new": ...}``.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=BriefingKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    changes = models.JSONField(default=list)
    roles = models.JSONField(default=list)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("changed by"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    note = models.TextField(_("note"), blank=True)
    requires_acknowledgement = models.BooleanField(_("requires acknowledgement before the next gated action"),
                                                   default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}" if self.subject else str(self.get_kind_display())


class BriefingReceipt(models.Model):
    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="briefing_receipts")
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["briefing", "user"]
        constraints = [models.UniqueConstraint(fields=["briefing", "user"], name="one_receipt_per_briefing_user")]

    def __str__(self) -> str:
        return f"{self.briefing_id}: {self.user_id}"
