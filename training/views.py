"""Training pages: my training, playbooks, courses and quizzes, briefings, waivers, overview,
work reports and committee minutes. Views load with permission, validate, call one service."""

from __future__ import annotations

import csv
import difflib
import json
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Role
from training import briefings as briefing_text
from training import minutes as minutes_module
from training import permissions as perms
from training import selectors, services
from training.forms import BriefingEditForm, DepartmentForm, PlaybookForm, QuizForm, ReportForm, WaiverForm
from training.models import Attempt, Briefing, BriefingReceipt, Course, Playbook, PlaybookRead, Waiver
from training.rendering import markdown_html


def _require_reader(request: HttpRequest) -> None:
    if not perms.can_read(request.user):
        raise PermissionDenied(_("Training is for people with a role."))


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    user = request.user
    return render(request, "training/home.html", {
        "statuses": selectors.statuses_for(user), "required_on": selectors.training_required(),
        "playbooks": Playbook.objects.filter(role__in=user.role_names) if not selectors.is_manager(user)
        else Playbook.objects.all(),
        "courses": selectors.courses_for(user).order_by("role", "slug"),
        "briefings": selectors.briefings_for(user)[:10],
        "unacknowledged": list(selectors.unacknowledged(user)),
    })


def _get_playbook(request: HttpRequest, role: str) -> Playbook:
    _require_reader(request)
    playbook = get_object_or_404(Playbook, role=role)
    if not (selectors.is_manager(request.user) or request.user.has_role(role)):
        raise Http404
    return playbook


def _diff(old: str, new: str) -> list[tuple[str, str]]:
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1):
        if line.startswith(("---", "+++")):
            continue
        kinds = {"+": "add", "-": "remove", "@": "hunk"}
        kind = kinds.get(line[:1], "same")
        lines.append((kind, line))
    return lines


@require_GET
@login_required
def playbook_detail(request: HttpRequest, role: str) -> HttpResponse:
    playbook = _get_playbook(request, role)
    versions = list(playbook.versions.select_related("author"))
    current = versions[0]
    last = PlaybookRead.objects.filter(user=request.user, playbook=playbook).values_list("number", flat=True).first()
    changes = None
    if last is not None and last < current.number:
        seen = next((v for v in versions if v.number == last), None)
        if seen is not None:
            changes = {"since": seen, "lines": _diff(seen.body, current.body),
                       "notes": [v for v in versions if v.number > last]}
    services.playbook_mark_read(playbook=playbook, user=request.user, number=current.number)
    return render(request, "training/playbook_detail.html", {
        "playbook": playbook, "version": current, "html": markdown_html(current.body), "versions": versions,
        "changes": changes, "can_edit": perms.can_edit_playbooks(request.user),
    })


@require_http_methods(["GET", "POST"])
@login_required
def playbook_edit(request: HttpRequest, role: str) -> HttpResponse:
    playbook = _get_playbook(request, role)
    if not perms.can_edit_playbooks(request.user):
        raise PermissionDenied(_("Only risk managers and administrators edit playbooks."))
    current = playbook.versions.first()
    if request.method == "POST":
        form = PlaybookForm(request.POST)
        if form.is_valid():
            version = services.playbook_edit(playbook=playbook, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Version %(number)s saved.") % {"number": version.number})
            return redirect("training:playbook_detail", role=role)
    else:
        form = PlaybookForm(initial={f: getattr(current, f) for f in ("title_en", "title_zh", "body_en", "body_zh")})
    return render(request, "training/playbook_edit.html", {"playbook": playbook, "form": form, "version": current})


def _get_course(request: HttpRequest, pk: int) -> Course:
    _require_reader(request)
    return get_object_or_404(Course.objects.select_related("playbook"), pk=pk)


@require_GET
@login_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = _get_course(request, pk)
    lessons = [(lesson, markdown_html(lesson.body)) for lesson in course.lessons.all()]
    return render(request, "training/course_detail.html", {
        "course": course, "lessons": lessons, "form": QuizForm(course=course),
        "attempts": Attempt.objects.filter(user=request.user, course=course)[:10],
    })


@require_POST
@login_required
def course_attempt(request: HttpRequest, pk: int) -> HttpResponse:
    course = _get_course(request, pk)
    form = QuizForm(request.POST, course=course)
    if not form.is_valid():
        messages.error(request, _("Please answer with the choices shown."))
        return redirect("training:course_detail", pk=pk)
    try:
        attempt = services.attempt_record(course=course, user=request.user, answers=form.answers())
    except (ValidationError, PermissionDenied) as error:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
        return redirect("training:course_detail", pk=pk)
    answers = {int(k): set(v) for k, v in attempt.answers.items()}
    review = []
    for question in form.questions:
        right = {c.pk for c in question.choices.all() if c.correct}
        review.append({"question": question, "right": right, "chosen": answers.get(question.pk, set()),
                       "ok": answers.get(question.pk, set()) == right})
    if attempt.passed:
        messages.success(request, _("You passed “%(course)s” with %(score)s%%.") % {"course": course.title,
                                                                                    "score": attempt.score})
    else:
        messages.warning(request, _("%(score)s%%: the pass mark is %(mark)s%%. Read the explanations and try again.")
                         % {"score": attempt.score, "mark": course.pass_mark})
    return render(request, "training/attempt_result.html", {"course": course, "attempt": attempt, "review": review})


@require_GET
@login_required
def briefing_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    if selectors.is_manager(request.user):
        rows = Briefing.objects.select_related("changed_by", "approved_by")[:100]
        return render(request, "training/briefing_list.html", {"briefings": rows, "manager": True})
    return render(request, "training/briefing_list.html",
                  {"receipts": selectors.briefings_for(request.user)[:100], "manager": False})


def _get_briefing(request: HttpRequest, pk: int) -> tuple[Briefing, BriefingReceipt | None]:
    _require_reader(request)
    briefing = get_object_or_404(Briefing.objects.select_related("changed_by", "approved_by"), pk=pk)
    receipt = BriefingReceipt.objects.filter(briefing=briefing, user=request.user).first()
    if receipt is None and not selectors.is_manager(request.user):
        raise Http404
    return briefing, receipt


@require_GET
@login_required
def briefing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    briefing, receipt = _get_briefing(request, pk)
    if receipt is not None and receipt.read_at is None:
        services.briefing_read(briefing=briefing, user=request.user)
        receipt.refresh_from_db()
    can_manage = perms.can_manage_briefing(request.user, briefing)
    return render(request, "training/briefing_detail.html", {
        "briefing": briefing, "receipt": receipt, "changes": briefing_text.rendered(briefing.changes),
        "receipts": briefing.receipts.select_related("user").order_by("user__username") if can_manage else None,
        "can_manage": can_manage,
        "edit_form": BriefingEditForm(initial={"note": briefing.note,
                                               "requires_acknowledgement": briefing.requires_acknowledgement}),
    })


@require_POST
@login_required
def briefing_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    briefing, receipt = _get_briefing(request, pk)
    if receipt is None:
        messages.error(request, _("This briefing was not sent to you."))
    elif services.briefing_acknowledge(briefing=briefing, user=request.user):
        messages.success(request, _("Briefing acknowledged."))
    else:
        messages.info(request, _("You had already acknowledged this briefing."))
    return redirect("training:briefing_detail", pk=pk)


@require_POST
@login_required
def briefing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    briefing, _receipt = _get_briefing(request, pk)
    form = BriefingEditForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("training:briefing_detail", pk=pk)
    try:
        services.briefing_update(briefing=briefing, actor=request.user, **form.cleaned_data)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Briefing saved."))
    return redirect("training:briefing_detail", pk=pk)


@require_http_methods(["GET", "POST"])
@login_required
def waiver_list(request: HttpRequest) -> HttpResponse:
    if not perms.can_waive(request.user):
        raise PermissionDenied(_("Only administrators can waive training."))
    form = WaiverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.waiver_grant(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Waiver recorded."))
            return redirect("training:waiver_list")
    waivers = Waiver.objects.select_related("user", "course", "granted_by")[:200]
    return render(request, "training/waiver_list.html", {"form": form, "waivers": waivers})


@require_POST
@login_required
def waiver_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if not perms.can_waive(request.user):
        raise PermissionDenied(_("Only administrators can waive training."))
    waiver = get_object_or_404(Waiver, pk=pk)
    services.waiver_revoke(waiver=waiver, actor=request.user)
    messages.success(request, _("Waiver revoked."))
    return redirect("training:waiver_list")


def _departments() -> list[tuple[str, str]]:
    from monitoring.reports import DEPARTMENT_STAGES

    return [(str(d), str(Role(d).label)) for d in DEPARTMENT_STAGES]


def _overview_rows(request: HttpRequest):
    if not perms.can_see_overview(request.user):
        raise PermissionDenied(_("Only risk managers and administrators see the training overview."))
    form = DepartmentForm(request.GET or None, departments=_departments())
    chosen = form.cleaned_data.get("department") if form.is_valid() else ""
    departments = [d for d, _label in _departments() if not chosen or d == chosen]
    return form, [(d, str(Role(d).label), selectors.department_overview(d)) for d in departments]


@require_GET
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    form, groups = _overview_rows(request)
    labels = [label for _d, label, _rows in groups]
    chart = json.dumps({
        "type": "bar",
        "data": {"labels": labels, "datasets": [
            {"label": str(_("passed or waived")), "data": [sum(r.passed for r in rows) for _d, _l, rows in groups]},
            {"label": str(_("expired")), "data": [sum(r.expired for r in rows) for _d, _l, rows in groups]},
            {"label": str(_("not yet passed")), "data": [sum(r.missing for r in rows) for _d, _l, rows in groups]},
        ]},
        "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True}}},
    })
    return render(request, "training/overview.html", {"form": form, "groups": groups, "chart": chart})


@require_GET
@login_required
def overview_csv(request: HttpRequest) -> HttpResponse:
    _form, groups = _overview_rows(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="training-overview.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 (Chinese names) only with a byte-order mark
    writer = csv.writer(response)
    writer.writerow([_("Department"), _("Person"), _("Required"), _("Passed or waived"), _("Expired"),
                     _("Not yet passed"), _("Failed attempts"), _("Briefings unread")])
    for _d, label, rows in groups:
        for row in rows:
            writer.writerow([label, row.user.username, row.required, row.passed, row.expired, row.missing,
                             row.failed_attempts, row.unread])
    return response


@require_GET
@login_required
def work_report(request: HttpRequest) -> HttpResponse:
    from monitoring.reports import department_report, reader_queue, report_week

    allowed = perms.departments_for_report(request.user)
    if not allowed:
        raise PermissionDenied(_("Work reports are for department members, risk managers and administrators."))
    choices = [(d, label) for d, label in _departments() if d in allowed]
    form = ReportForm(request.GET or None, departments=choices)
    department, week = choices[0][0], report_week()
    if form.is_bound and form.is_valid():
        department = form.cleaned_data["department"] or department
        if form.cleaned_data["week"]:
            chosen = form.cleaned_data["week"]
            week = chosen - timedelta(days=chosen.weekday())
    # The same report as the e-mail, "your queue" included: only what waits for the reader.
    report = reader_queue(department_report(department, week), request.user)
    return render(request, "training/work_report.html", {
        "form": form, "report": report, "department": Role(department).label, "week_end": week + timedelta(days=6),
        "previous": week - timedelta(days=7), "next": week + timedelta(days=7) if week < report_week() else None,
        "department_code": department,
    })


@require_GET
@login_required
def minutes_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not perms.can_read_minutes(request.user):
        raise PermissionDenied(_("Minutes are for approvers, risk managers and administrators."))
    data = minutes_module.minutes_for(pk)
    if data is None:
        raise Http404
    return render(request, "training/minutes.html", {"m": data})


@require_GET
@login_required
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    if not perms.can_read_minutes(request.user):
        raise PermissionDenied(_("Minutes are for approvers, risk managers and administrators."))
    data = minutes_module.minutes_for(pk)
    if data is None:
        raise Http404
    pdf = minutes_module.minutes_pdf(data, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="minutes-{data["reference"]}-{data["number"]}.pdf"'
    return response

