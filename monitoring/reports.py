"""The weekly work report (工作报告) per department, by e-mail.

A department is a role. Each member gets the report of the week before (Monday to Sunday):
applications that reached and left the department's stage, what waits for the reader (their
own queue, not their colleagues') and for how long, stage deadlines missed, and the alerts
opened. Each e-mail is rendered in its recipient's language. Each delivery is claimed in the
database before it is sent, so running the job twice sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from accounts.roles import Role
from accounts.services import absolute_url, user_language
from monitoring.enums import SEVERITY_ORDER, JobKind, Trigger
from monitoring.models import Alert, WorkReportDelivery
from onboarding import participation
from onboarding.enums import State
from onboarding.models import Application, StateChange
from onboarding.participation import Stage

logger = logging.getLogger(__name__)

# The pipeline stages each department works in (its queue).
DEPARTMENT_STAGES: dict[str, tuple[str, ...]] = {
    Role.SALES: (State.DRAFT, State.RETURNED),
    Role.DOCUMENT_REVIEWER: (State.DOCUMENT_REVIEW,),
    Role.INVESTIGATOR: (State.BACKGROUND_CHECK,),
    Role.APPROVER_FINANCE: (State.COMMITTEE_REVIEW,),
    Role.APPROVER_LEGAL: (State.COMMITTEE_REVIEW,),
    Role.APPROVER_BUSINESS: (State.COMMITTEE_REVIEW,),
    Role.RISK_MANAGER: (State.DOCUMENT_REVIEW, State.BACKGROUND_CHECK, State.COMMITTEE_REVIEW),
}
OLDEST_SHOWN = 10

# Higher apps add figures to the report (training: completion and unread briefings) through
# ``register_section``: a section is ``build(department, week, end) -> (title, [(label, value)])``
# or ``None``; the e-mail and the report page show the same sections.
Section = Callable[[str, date, datetime], "tuple[str, list[tuple[str, object]]] | None"]
_sections: list[Section] = []


def register_section(build: Section) -> None:
    if build not in _sections:
        _sections.append(build)


@dataclass
class DepartmentReport:
    department: str
    week: date
    received: int = 0
    decided: int = 0
    submitted: int = 0
    approved: int = 0
    rejected: int = 0
    queue: int = 0
    oldest_days: int | None = None
    average_days: float | None = None
    overdue: int = 0
    waiting: list[dict] = field(default_factory=list)
    alerts: list[tuple[str, int]] = field(default_factory=list)
    alerts_total: int = 0
    sections: list[tuple[str, list[tuple[str, object]]]] = field(default_factory=list)


def report_week(today: date | None = None) -> date:
    """The Monday of the last full week before ``today``."""
    today = today or timezone.localdate()
    return today - timedelta(days=today.weekday() + 7)


def _bounds(week: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(week, time.min))
    return start, start + timedelta(days=7)


def department_report(department: str, week: date, *, now: datetime | None = None) -> DepartmentReport:
    """The figures of one department's report (a handful of aggregate queries)."""
    now = now or timezone.now()
    start, end = _bounds(week)
    stages = DEPARTMENT_STAGES[department]
    report = DepartmentReport(department=department, week=week)
    changes = StateChange.objects.filter(created_at__gte=start, created_at__lt=end)
    report.received = changes.filter(to_state__in=stages).exclude(from_state__in=stages).count()
    report.decided = changes.filter(from_state__in=stages).exclude(to_state__in=stages).count()
    report.submitted = changes.filter(transition="submit").count()
    report.approved = changes.filter(to_state=State.APPROVED).count()
    report.rejected = changes.filter(to_state=State.REJECTED).count()
    counts = dict(
        Alert.objects.filter(opened_at__gte=start, opened_at__lt=end).order_by().values_list("severity")
        .annotate(n=Count("pk"))
    )
    report.alerts = [(severity.label, counts.get(severity.value, 0)) for severity in SEVERITY_ORDER]
    report.alerts_total = sum(counts.values())
    for build in _sections:
        section = build(department, week, end)
        if section is not None:
            report.sections.append(section)
    return report


# The stage of the pipeline whose segregation of duties applies to a department's queue.
DEPARTMENT_STAGE: dict[str, Stage] = {
    Role.DOCUMENT_REVIEWER: Stage.DOCUMENTS,
    Role.INVESTIGATOR: Stage.INVESTIGATION,
    Role.APPROVER_FINANCE: Stage.COMMITTEE,
    Role.APPROVER_LEGAL: Stage.COMMITTEE,
    Role.APPROVER_BUSINESS: Stage.COMMITTEE,
}


def reader_queue(report: DepartmentReport, user: User, *, now: datetime | None = None) -> DepartmentReport:
    """``report`` with "Your queue" filled for ``user``: only what waits for them.

    A sales person's queue is their own drafts and returned applications; a reviewer's,
    investigator's or approver's is the stage's applications that segregation of duties lets
    them act on (not their own, nothing they worked on at an earlier stage); a risk manager's
    is every application in review that they did not create (they oversee all stages).
    States are kept as lazy labels so that the e-mail shows them in the reader's language.
    """
    now = now or timezone.now()
    waiting = Application.objects.filter(state__in=DEPARTMENT_STAGES[report.department]).order_by("state_entered_at")
    if report.department == Role.SALES:
        waiting = waiting.filter(created_by=user)
    else:
        waiting = waiting.exclude(created_by=user)
    applications = list(waiting.only(
        "id", "state", "state_entered_at", "created_by_id", "legal_name_zh", "legal_name_en",
    ))
    stage = DEPARTMENT_STAGE.get(report.department)
    if stage is not None:
        participation.prime(applications, user.pk, stage)
        applications = [a for a in applications if not participation.acts_before(a, user.pk, stage)]
    ages = [(now - app.state_entered_at).total_seconds() / 86400 for app in applications]
    return replace(
        report,
        queue=len(applications),
        oldest_days=int(max(ages)) if ages else None,
        average_days=round(sum(ages) / len(ages), 1) if ages else None,
        overdue=sum(1 for app in applications if app.is_overdue),
        waiting=[
            {
                "reference": app.reference, "name": app.legal_name_zh or app.legal_name_en,
                "state": State(app.state).label,
                "days": int((now - app.state_entered_at).total_seconds() // 86400), "overdue": app.is_overdue,
                "link": absolute_url(reverse("onboarding:application_detail", args=[app.pk])),
            }
            for app in applications[:OLDEST_SHOWN]
        ],
    )


def _email(user: User, report: DepartmentReport) -> EmailMessage:
    with translation.override(user_language(user)):
        context = {
            "user": user, "report": report, "department": Role(report.department).label,
            "week_end": report.week + timedelta(days=6),
            "dashboard": absolute_url(reverse("monitoring:dashboard")),
            "queue": absolute_url(reverse("onboarding:queue")),
            "is_risk": report.department == Role.RISK_MANAGER,
        }
        subject = " ".join(render_to_string("monitoring/email/work_report_subject.txt", context).split())
        body = render_to_string("monitoring/email/work_report_body.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email], from_email=settings.DEFAULT_FROM_EMAIL)


def work_reports_send(*, week: date | None = None, trigger: str = Trigger.SCHEDULE, progress=None) -> int:
    """E-mail each member of each department its report for ``week`` (default: last week).

    Each (person, department, week) is claimed with a unique row before sending; a failed
    send releases its claim so that a retry sends it, and the error is raised after the
    others went out. Returns how many were sent. Side effect: a ``JobRun`` record.
    """
    from monitoring.runs import _finish_simple, _simple_run

    week = week or report_week()
    run = _simple_run(JobKind.WORK_REPORTS, trigger, note=week.isoformat())
    if run is None:
        return 0
    sent = 0
    failures: list[str] = []
    departments = [role for role in DEPARTMENT_STAGES]
    with get_connection() as connection:
        for number, department in enumerate(departments, start=1):
            members = list(
                User.objects.filter(groups__name=department, is_active=True).exclude(email="").order_by("pk")
            )
            if not members:
                continue
            report = department_report(department, week)
            for user in members:
                try:
                    with transaction.atomic():
                        delivery = WorkReportDelivery.objects.create(recipient=user, department=department, week=week)
                except IntegrityError:
                    continue  # already sent (or being sent) for this week
                try:
                    connection.send_messages([_email(user, reader_queue(report, user))])
                except Exception as error:
                    delivery.delete()
                    logger.exception("Sending the work report to %s failed", user.pk)
                    failures.append(f"{user}: {error}")
                    continue
                WorkReportDelivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now())
                sent += 1
            if progress is not None:
                progress(number, len(departments))
    _finish_simple(run, evaluated=sent, alerts=0, errors=len(failures), messages=failures)
    if failures:
        raise RuntimeError(f"{len(failures)} work report(s) could not be sent; they are sent on the next run.")
    return sent
