"""Reads: a person's training status, what their role requires, briefings waiting for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from training.models import Attempt, BriefingReceipt, Course, RequiredTraining, Waiver


class Status:
    PASSED = "passed"
    WAIVED = "waived"
    EXPIRED = "expired"
    MISSING = "missing"


STATUS_LABELS = {
    Status.PASSED: _("passed"), Status.WAIVED: _("waived"), Status.EXPIRED: _("expired"), Status.MISSING: _("not yet passed"),
}


@dataclass
class CourseStatus:
    course: Course
    status: str
    passed_at: datetime | None = None
    expires_at: datetime | None = None
    failed_attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.status in (Status.PASSED, Status.WAIVED)

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


def training_required() -> bool:
    """The one switch (settings.TRAINING_REQUIRED): off in the demo, on in production."""
    return bool(getattr(settings, "TRAINING_REQUIRED", False))


def requirements_for(roles) -> list[RequiredTraining]:
    return list(RequiredTraining.objects.filter(role__in=list(roles)).select_related("course").order_by("course_id"))


def course_status(user: User, requirement: RequiredTraining, *, now: datetime | None = None,
                  attempts: list[Attempt] | None = None, waived: set[int] | None = None) -> CourseStatus:
    """Passed within the validity, waived, expired or missing (``attempts``/``waived`` prefetched or read here)."""
    now = now or timezone.now()
    course = requirement.course
    if attempts is None:
        attempts = list(Attempt.objects.filter(user=user, course=course).only("passed", "created_at", "course_id"))
    if waived is None:
        waived = set(Waiver.objects.filter(user=user, course=course, revoked_at__isnull=True).values_list("course_id", flat=True))
    mine = [a for a in attempts if a.course_id == course.pk]
    failed = sum(1 for a in mine if not a.passed)
    passes = sorted((a.created_at for a in mine if a.passed), reverse=True)
    last_pass = passes[0] if passes else None
    expires = last_pass + timedelta(days=requirement.valid_days) if last_pass and requirement.valid_days else None
    if course.pk in waived:
        return CourseStatus(course, Status.WAIVED, last_pass, expires, failed)
    if last_pass is None:
        return CourseStatus(course, Status.MISSING, None, None, failed)
    if expires is not None and expires <= now:
        return CourseStatus(course, Status.EXPIRED, last_pass, expires, failed)
    return CourseStatus(course, Status.PASSED, last_pass, expires, failed)


def statuses_for(user: User, roles=None, *, now: datetime | None = None) -> list[CourseStatus]:
    """The status of every course ``user``'s roles (or ``roles``) require, one query each for attempts and waivers."""
    roles = list(roles if roles is not None else user.role_names)
    requirements = requirements_for(roles)
    if not requirements:
        return []
    attempts, waived = _attempts_and_waivers([user], requirements)
    return _statuses(user, requirements, attempts.get(user.pk, []), waived.get(user.pk, set()), now=now)


def _attempts_and_waivers(users, requirements) -> tuple[dict[int, list[Attempt]], dict[int, set[int]]]:
    """Per user id: their attempts at the required courses, and the ids of the courses waived for them."""
    course_ids = {r.course_id for r in requirements}
    attempts: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(user__in=users, course_id__in=course_ids).only(
            "passed", "created_at", "course_id", "user_id"):
        attempts.setdefault(attempt.user_id, []).append(attempt)
    waived: dict[int, set[int]] = {}
    for user_id, course_id in Waiver.objects.filter(
            user__in=users, course_id__in=course_ids, revoked_at__isnull=True).values_list("user_id", "course_id"):
        waived.setdefault(user_id, set()).add(course_id)
    return attempts, waived


def _statuses(user: User, requirements, attempts: list[Attempt], waived: set[int], *,
              now: datetime | None = None) -> list[CourseStatus]:
    seen: dict[int, CourseStatus] = {}
    for requirement in requirements:
        status = course_status(user, requirement, now=now, attempts=attempts, waived=waived)
        # Two roles requiring one course with different validity: the stricter answer counts.
        if requirement.course_id not in seen or not status.ok:
            seen[requirement.course_id] = status
    return list(seen.values())


def unacknowledged(user: User):
    return (BriefingReceipt.objects.filter(user=user, acknowledged_at__isnull=True,
                                           briefing__requires_acknowledgement=True)
            .select_related("briefing").order_by("briefing__created_at"))


def unread_briefings(user: User):
    return BriefingReceipt.objects.filter(user=user, read_at__isnull=True)


def department_members(department: str):
    return User.objects.filter(groups__name=department, is_active=True).order_by("username")


@dataclass
class PersonRow:
    user: User
    required: int
    passed: int
    expired: int
    missing: int
    failed_attempts: int
    unread: int
    statuses: list[CourseStatus]


def department_overview(department: str, *, now: datetime | None = None) -> list[PersonRow]:
    """Per member of ``department``: courses required, passed (or waived), expired, missing, failed attempts, unread.

    A fixed number of queries whatever the department's size (requirements, attempts, waivers, unread)."""
    now = now or timezone.now()
    rows = []
    members = list(department_members(department))
    unread = dict(
        BriefingReceipt.objects.filter(user__in=members, read_at__isnull=True).values_list("user_id")
        .annotate(n=Count("pk"))
    )
    requirements = requirements_for([department])
    attempts, waived = _attempts_and_waivers(members, requirements)
    for user in members:
        statuses = _statuses(user, requirements, attempts.get(user.pk, []), waived.get(user.pk, set()), now=now)
        rows.append(PersonRow(
            user=user, required=len(statuses), passed=sum(1 for s in statuses if s.ok),
            expired=sum(1 for s in statuses if s.status == Status.EXPIRED),
            missing=sum(1 for s in statuses if s.status == Status.MISSING),
            failed_attempts=sum(s.failed_attempts for s in statuses), unread=unread.get(user.pk, 0), statuses=statuses,
        ))
    return rows


def report_section(department: str, week: date, end: datetime):
    """Training and briefings in ``department``'s work report (monitoring.reports), as of the week's end."""
    rows = department_overview(department, now=min(end, timezone.now()))
    if not rows:
        return None
    complete = sum(1 for r in rows if r.required and r.passed == r.required)
    required = sum(1 for r in rows if r.required)
    unread = sum(r.unread for r in rows)
    new_briefings = BriefingReceipt.objects.filter(
        user__groups__name=department, briefing__created_at__gte=end - timedelta(days=7), briefing__created_at__lt=end,
    ).values("briefing_id").distinct().count()
    return (_("Training and briefings"), [
        (_("Members with all required training"), f"{complete} / {required}"),
        (_("Briefings sent this week"), new_briefings),
        (_("Briefings not yet read in the department"), unread),
    ])


def briefings_for(user: User):
    return (BriefingReceipt.objects.filter(user=user).select_related("briefing", "briefing__changed_by",
                                                                     "briefing__approved_by")
            .order_by("-briefing__created_at"))


def is_manager(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.RISK_MANAGER, Role.ADMIN)


def courses_for(user: User):
    if is_manager(user):
        return Course.objects.all()
    return Course.objects.filter(Q(role__in=user.role_names) | Q(requirements__role__in=user.role_names)).distinct()
