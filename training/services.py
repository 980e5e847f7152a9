"""Writes for training: quiz attempts, playbook edits, reads, waivers, briefings and their receipts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.messages import Message, choice, message, register, register_choices
from accounts.models import User
from accounts.roles import Role
from accounts.services import notify
from training import permissions as perms
from training.models import (
    Attempt,
    Briefing,
    BriefingKind,
    BriefingReceipt,
    Course,
    Playbook,
    PlaybookRead,
    PlaybookVersion,
    QuestionKind,
    Waiver,
)


def quiz_score(course: Course, answers: Mapping[int, Iterable[int]]) -> tuple[int, int]:
    """(correct, total): a question counts when exactly its right choices were chosen."""
    correct = total = 0
    for question in course.questions.prefetch_related("choices"):
        total += 1
        right = {c.pk for c in question.choices.all() if c.correct}
        chosen = {int(c) for c in answers.get(question.pk, ())}
        if question.kind == QuestionKind.SINGLE and len(chosen) > 1:
            continue
        if chosen == right:
            correct += 1
    return correct, total


@transaction.atomic
def attempt_record(*, course: Course, user: User, answers: Mapping[int, Iterable[int]]) -> Attempt:
    """Score a quiz and keep the attempt; a score at or above the pass mark is a pass (the completion's date)."""
    if not perms.can_take(user, course):
        raise PermissionDenied(_("This course is not for your role."))
    correct, total = quiz_score(course, answers)
    if total == 0:
        raise ValidationError(_("This course has no questions yet."))
    score = correct * 100 // total
    return Attempt.objects.create(
        user=user, course=course, correct=correct, total=total, score=score, passed=score >= course.pass_mark,
        answers={str(k): sorted(int(c) for c in v) for k, v in answers.items()},
    )


@transaction.atomic
def playbook_edit(*, playbook: Playbook, actor: User, title_en: str, title_zh: str, body_en: str, body_zh: str,
                  note: str = "") -> PlaybookVersion:
    """Save an edit as a new version with its author (versions are never changed)."""
    if not perms.can_edit_playbooks(actor):
        raise PermissionDenied(_("Only risk managers and administrators edit playbooks."))
    Playbook.objects.select_for_update().get(pk=playbook.pk)
    number = (playbook.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return PlaybookVersion.objects.create(playbook=playbook, number=number, title_en=title_en, title_zh=title_zh,
                                          body_en=body_en, body_zh=body_zh, note=note, author=actor)


def playbook_mark_read(*, playbook: Playbook, user: User, number: int) -> None:
    PlaybookRead.objects.update_or_create(user=user, playbook=playbook,
                                          defaults={"number": number, "read_at": timezone.now()})


@transaction.atomic
def waiver_grant(*, user: User, course: Course, reason: str, actor: User) -> Waiver:
    """An admin excuses ``user`` from ``course`` with a reason (recorded; revocable)."""
    if not perms.can_waive(actor):
        raise PermissionDenied(_("Only administrators can waive training."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give the reason for the waiver."))
    if actor.pk == user.pk:
        raise ValidationError(_("Nobody waives their own training."))
    return Waiver.objects.create(user=user, course=course, reason=reason, granted_by=actor)


def waiver_revoke(*, waiver: Waiver, actor: User) -> None:
    if not perms.can_waive(actor):
        raise PermissionDenied(_("Only administrators can waive training."))
    Waiver.objects.filter(pk=waiver.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- Briefings ---

# Who a change concerns.
BRIEFING_ROLES = {
    "scorecard": [Role.INVESTIGATOR, Role.APPROVER_FINANCE, Role.APPROVER_LEGAL, Role.APPROVER_BUSINESS, Role.RISK_MANAGER],
    "committee_policy": [Role.APPROVER_FINANCE, Role.APPROVER_LEGAL, Role.APPROVER_BUSINESS, Role.RISK_MANAGER],
    "monitoring": [Role.RISK_MANAGER],
}


register_choices("training.briefing_kind", BriefingKind)
register("training.briefing", gettext_lazy("Briefing: {kind}: {subject}. Please read what changed."))
register("training.briefing_no_subject", gettext_lazy("Briefing: {kind}. Please read what changed."))


def briefing_message(briefing: Briefing) -> Message:
    """The notification, stored as a code: each reader reads it in their language of the moment."""
    kind = choice("training.briefing_kind", briefing.kind)
    if briefing.subject:
        return message("training.briefing", kind=kind, subject=briefing.subject)
    return message("training.briefing_no_subject", kind=kind)


def briefing_send(*, kind: str, subject: str, changes: list[dict], changed_by: User | None,
                  approved_by: User | None = None, note: str = "", requires_acknowledgement: bool = False) -> Briefing:
    """Write a briefing, a receipt per affected person (the roles of ``BRIEFING_ROLES`` minus the people
    who made the change) and notify them. Side effects: notifications (and their e-mails after commit)."""
    roles = [str(r) for r in BRIEFING_ROLES[kind]]
    briefing = Briefing.objects.create(
        kind=kind, subject=subject[:200], changes=changes, roles=roles, changed_by=changed_by,
        approved_by=approved_by, note=note, requires_acknowledgement=requires_acknowledgement,
    )
    excluded = {u.pk for u in (changed_by, approved_by) if u is not None}
    people = list(User.objects.filter(groups__name__in=roles, is_active=True).exclude(pk__in=excluded).distinct())
    BriefingReceipt.objects.bulk_create(BriefingReceipt(briefing=briefing, user=u) for u in people)
    notify(recipients=people, verb=briefing_message(briefing), url=reverse("training:briefing_detail", args=[briefing.pk]))
    return briefing


@transaction.atomic
def briefing_update(*, briefing: Briefing, actor: User, note: str, requires_acknowledgement: bool) -> Briefing:
    """The author (or a risk manager) adds a note or asks for acknowledgement after the fact."""
    if not perms.can_manage_briefing(actor, briefing):
        raise PermissionDenied(_("Only the author of the change or a risk manager edits this briefing."))
    briefing.note = note
    briefing.requires_acknowledgement = requires_acknowledgement
    briefing.save(update_fields=["note", "requires_acknowledgement"])
    return briefing


def briefing_read(*, briefing: Briefing, user: User) -> None:
    BriefingReceipt.objects.filter(briefing=briefing, user=user, read_at__isnull=True).update(read_at=timezone.now())


def briefing_acknowledge(*, briefing: Briefing, user: User) -> bool:
    now = timezone.now()
    BriefingReceipt.objects.filter(briefing=briefing, user=user, read_at__isnull=True).update(read_at=now)
    return bool(BriefingReceipt.objects.filter(briefing=briefing, user=user, acknowledged_at__isnull=True)
                .update(acknowledged_at=now))
