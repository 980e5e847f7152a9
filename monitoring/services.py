"""Writes for monitoring: alerts (raising and triage), settings, credit profiles.

The jobs that evaluate many customers are in ``monitoring.runs``; they raise alerts through
``alerts_raise`` here. Every function that a person triggers checks permission itself and
raises ``PermissionDenied`` or ``ValidationError`` with a message for the user.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Count, F
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.messages import encode, message, register, register_choices
from accounts.models import User
from accounts.roles import Role
from accounts.services import notify
from monitoring import conf
from monitoring import permissions as perms
from monitoring.enums import ACTIVE_STATUSES, AlertStatus, Indicator, JobKind
from monitoring.indicators import Firing, Rule, add_months, rules_from
from monitoring.models import (
    AdmissionInputs,
    Alert,
    AlertEvent,
    CustomerCreditProfile,
    IndicatorSetting,
)
from monitoring.signals import alerts_opened, settings_changed
from onboarding.enums import State
from onboarding.models import Application, Customer, ReviewCadence

# Stored messages (accounts.messages), read in the reader's language.
register_choices("monitoring.indicator", Indicator)
register_choices("monitoring.job_kind", JobKind)
register("monitoring.set_by", gettext_lazy("set by {actor}"))
register("monitoring.run_alerts", gettext_lazy("{job} #{id} raised {count} new alert(s)."))
register("monitoring.alerts_assigned", gettext_lazy("{actor} assigned {count} alert(s) to you."))
register("monitoring.review_opened",
         gettext_lazy("A re-review of {customer} was opened after an alert: please update and submit it."))
register("monitoring.alert_escalated", gettext_lazy("Alert #{id} escalated by {user}"))

logger = logging.getLogger(__name__)

# An alert keeps its newest pieces of evidence; the count of all is in the oldest kept.
EVIDENCE_LIMIT = 50
DEFAULT_CADENCE_MONTHS = 12
TIERS = ("A", "B", "C", "D")


# --- Rules and cadence -----------------------------------------------------------------------


def indicator_rules() -> dict[str, Rule]:
    """The enabled indicators with their thresholds and severities (one query)."""
    return rules_from(IndicatorSetting.objects.all())


def cadence_months() -> dict[str, int]:
    """Months between re-evaluations per tier (one query); a missing tier takes 12."""
    found = dict(ReviewCadence.objects.values_list("tier", "months"))
    return {tier: found.get(tier) or DEFAULT_CADENCE_MONTHS for tier in TIERS}


def next_due(*, customer_tier: str, evaluated_tier: str, months: dict[str, int], today: date) -> date:
    """The next re-evaluation: the cadence of the worse of the committee's and the evaluated tier.

    A customer the committee admitted as A that now scores D is watched at D's pace until
    the committee decides again.
    """
    tiers = [t for t in (customer_tier, evaluated_tier) if t in TIERS]
    worst = max(tiers, key=TIERS.index) if tiers else "A"
    return add_months(today, months.get(worst, DEFAULT_CADENCE_MONTHS))


# --- Tallies ---------------------------------------------------------------------------------


def tally_add(deltas: Counter) -> None:
    """Add ``{(severity, status): n}`` to the alert counts, in the caller's transaction.

    Keys are applied in a fixed order, so that two transactions never wait on each other's
    tally rows in opposite orders.
    """
    items = sorted((key, n) for key, n in deltas.items() if n)
    if not items:
        return
    with connection.cursor() as cursor:
        for (severity, status), n in items:
            cursor.execute(
                "INSERT INTO monitoring_alerttally (severity, status, count) VALUES (%s, %s, %s) "
                "ON CONFLICT (severity, status) DO UPDATE SET count = monitoring_alerttally.count + EXCLUDED.count",
                [severity, status, n],
            )


def week_of(moment: datetime | date) -> date:
    day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def week_add(moment: datetime, *, opened: int = 0, resolved: int = 0, escalated: int = 0) -> None:
    if not (opened or resolved or escalated):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO monitoring_alertweek (week, opened, resolved, escalated) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (week) DO UPDATE SET opened = monitoring_alertweek.opened + EXCLUDED.opened, "
            "resolved = monitoring_alertweek.resolved + EXCLUDED.resolved, "
            "escalated = monitoring_alertweek.escalated + EXCLUDED.escalated",
            [week_of(moment), opened, resolved, escalated],
        )


def alert_tallies_recount() -> None:
    """Recount the severity × status tallies from the alerts (hourly; corrects any drift).

    The tally rows are locked first: a transaction that changes alerts meanwhile waits and
    then adds its own delta to the fresh count.
    """
    from monitoring.models import AlertTally

    with transaction.atomic():
        list(AlertTally.objects.select_for_update().order_by("severity", "status"))
        counts = Counter(
            {
                (row["severity"], row["status"]): row["n"]
                for row in Alert.objects.order_by().values("severity", "status").annotate(n=Count("pk"))
            }
        )
        AlertTally.objects.update(count=0)
        tally_add(counts)


# --- Raising alerts (the jobs) -----------------------------------------------------------------


def alerts_raise(
    firings: list[Firing],
    *,
    now: datetime,
    run_id: int | None = None,
    evaluations: dict[int, tuple[int | None, int | None]] | None = None,
) -> int:
    """Open an alert per firing, or append the evidence to the open one. Returns how many opened.

    Runs inside the caller's transaction (a run's chunk). The open alerts of the customers
    concerned are locked in id order first, so a person acting on one waits for the chunk,
    and two chunks never deadlock. If another transaction opens the same alert meanwhile,
    the partial unique constraint refuses the second and the chunk is retried whole.

    ``evaluations`` maps a customer to (its evaluation in this run, the one before), stored
    on new alerts for the side-by-side view. Evidence is appended only when its facts differ
    from the alert's last evidence; ``last_seen_at`` always moves.

    Side effects: counts in ``AlertTally`` and ``AlertWeek``.
    """
    if not firings:
        return 0
    evaluations = evaluations or {}
    stamp = now.isoformat()
    customer_ids = sorted({f.customer_id for f in firings})
    # Only the last evidence's facts are read: most firings repeat them, and then only
    # last_seen_at moves (one UPDATE for all of them); the full evidence of the few that
    # changed is read afterwards to append to it.
    alerts = (
        Alert.objects.select_for_update().filter(customer_id__in=customer_ids, status__in=ACTIVE_STATUSES).order_by("pk")
    )
    in_sql = conf.postgres_bulk()
    if in_sql:
        alerts = alerts.annotate(
            last_facts=RawSQL("evidence -> -1 -> 'facts'", (), output_field=models.JSONField())
        ).only("pk", "customer_id", "indicator")
    else:  # SQLite has no negative JSON index in Django's terms: read the evidence
        alerts = alerts.only("pk", "customer_id", "indicator", "evidence")
    existing = {}
    for alert in alerts:
        if not in_sql:
            alert.last_facts = alert.evidence[-1].get("facts") if alert.evidence else None
        existing[(alert.customer_id, alert.indicator)] = alert
    created: list[Alert] = []
    seen: list[int] = []
    appended: dict[int, list[dict]] = {}
    for firing in firings:
        evaluation_id, previous_id = evaluations.get(firing.customer_id, (None, None))
        entry = {"at": stamp, "run": run_id, "evaluation": evaluation_id, "facts": firing.facts}
        alert = existing.get((firing.customer_id, firing.indicator))
        if alert is None:
            alert = Alert(
                customer_id=firing.customer_id, indicator=firing.indicator, severity=firing.severity,
                opened_at=now, last_seen_at=now, evidence=[entry], evaluation_id=evaluation_id,
                previous_evaluation_id=previous_id, run_id=run_id,
            )
            existing[(firing.customer_id, firing.indicator)] = alert
            created.append(alert)
            continue
        if alert.pk is None:
            continue  # the same indicator fired twice for one customer in this batch
        seen.append(alert.pk)
        if alert.last_facts != firing.facts:
            appended.setdefault(alert.pk, []).append(entry)
            alert.last_facts = firing.facts
    Alert.objects.bulk_create(created, batch_size=1000)
    if created:
        opened_ids = [alert.pk for alert in created]
        transaction.on_commit(lambda: alerts_opened.send(sender=Alert, alert_ids=opened_ids))
    if seen:
        Alert.objects.filter(pk__in=seen).update(last_seen_at=now)
    if appended:
        changed = list(Alert.objects.filter(pk__in=list(appended)).only("pk", "evidence"))
        for alert in changed:
            alert.evidence = [*(alert.evidence or []), *appended[alert.pk]][-EVIDENCE_LIMIT:]
        Alert.objects.bulk_update(changed, ["evidence"], batch_size=500)
    tally_add(Counter((alert.severity, AlertStatus.OPEN) for alert in created))
    week_add(now, opened=len(created))
    return len(created)


# --- Alert triage (people) ---------------------------------------------------------------------


def _lock_alert(alert_id: int, actor: User) -> Alert:
    if not perms.can_act(actor):
        raise PermissionDenied(_("Only risk managers act on alerts."))
    try:
        return Alert.objects.select_for_update().select_related("customer").get(pk=alert_id)
    except Alert.DoesNotExist:
        raise ValidationError(_("This alert does not exist.")) from None


def _refuse_closed(alert: Alert) -> None:
    if not alert.is_active:
        raise ValidationError(
            _("This alert is already “%(status)s”. Nothing was changed.") % {"status": alert.get_status_display()}
        )


def _check_assignee(assignee: User | None) -> User:
    if assignee is None or not assignee.is_active or not assignee.has_role(Role.RISK_MANAGER):
        raise ValidationError(_("Assign the alert to an active risk manager."))
    return assignee


def alert_acknowledge(*, alert_id: int, actor: User, assignee: User | None = None) -> Alert:
    """Take an open alert in hand: acknowledged, with an assignee (the actor by default).

    An acknowledged alert may be acknowledged again to hand it to someone else.
    """
    if not perms.can_act(actor):
        raise PermissionDenied(_("Only risk managers act on alerts."))
    changed = alerts_acknowledge(alert_ids=[alert_id], actor=actor, assignee=assignee)
    if not changed:
        alert = Alert.objects.filter(pk=alert_id).first()
        if alert is None:
            raise ValidationError(_("This alert does not exist."))
        _refuse_closed(alert)
    return changed[0]


def alerts_acknowledge(*, alert_ids: Iterable[int], actor: User, assignee: User | None = None) -> list[Alert]:
    """Acknowledge alerts (the list's bulk action) with an assignee; closed ones are skipped.

    Set-based: one locking read, one update, one insert of events, whatever the number.
    Side effects: ``AlertEvent`` rows; the tallies; a notification to an assignee other
    than the actor. Returns the alerts that changed.
    """
    if not perms.can_act(actor):
        raise PermissionDenied(_("Only risk managers act on alerts."))
    assignee = _check_assignee(assignee or actor)
    ids = sorted({int(pk) for pk in alert_ids})
    if not ids:
        raise ValidationError(_("Select at least one alert."))
    now = timezone.now()
    with transaction.atomic():
        alerts = list(
            Alert.objects.select_for_update().filter(pk__in=ids, status__in=ACTIVE_STATUSES).order_by("pk")
        )
        deltas: Counter = Counter()
        events = []
        for alert in alerts:
            if alert.status == AlertStatus.OPEN:
                deltas[(alert.severity, AlertStatus.OPEN)] -= 1
                deltas[(alert.severity, AlertStatus.ACKNOWLEDGED)] += 1
                alert.acknowledged_at = now
                alert.acknowledged_by = actor
                action = AlertEvent.Action.ACKNOWLEDGED
            else:
                action = AlertEvent.Action.ASSIGNED
            alert.status = AlertStatus.ACKNOWLEDGED
            alert.assignee = assignee
            events.append(AlertEvent(alert=alert, action=action, actor=actor, assignee=assignee, created_at=now))
        if not alerts:
            return []
        Alert.objects.bulk_update(alerts, ["status", "assignee", "acknowledged_at", "acknowledged_by"])
        AlertEvent.objects.bulk_create(events)
        tally_add(deltas)
        if assignee.pk != actor.pk:
            verb = message("monitoring.alerts_assigned", actor=str(actor), count=len(alerts))
            if len(alerts) == 1:
                url = reverse("monitoring:alert_detail", args=[alerts[0].pk])
            else:
                url = reverse("monitoring:alert_list") + f"?assignee={assignee.pk}&status=acknowledged"
            notify(recipients=[assignee], verb=verb, url=url)
    return alerts


def alert_resolve(*, alert_id: int, actor: User, note: str) -> Alert:
    """Close an alert as handled; the note (required) says what was found or done.

    Side effects: an ``AlertEvent``; the tallies and the week's resolved count.
    """
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Please say how the alert was resolved."))
    with transaction.atomic():
        alert = _lock_alert(alert_id, actor)
        _refuse_closed(alert)
        now = timezone.now()
        previous = alert.status
        alert.status = AlertStatus.RESOLVED
        alert.closed_at = now
        alert.closed_by = actor
        alert.note = note
        alert.save(update_fields=["status", "closed_at", "closed_by", "note"])
        AlertEvent.objects.create(alert=alert, action=AlertEvent.Action.RESOLVED, actor=actor, note=note,
                                  created_at=now)
        tally_add(Counter({(alert.severity, previous): -1, (alert.severity, AlertStatus.RESOLVED): 1}))
        week_add(now, resolved=1)
    return alert


def alert_escalate(*, alert_id: int, actor: User, note: str) -> Alert:
    """Escalate: the customer goes under review and a re-review application opens for its owner.

    The re-review is an Application of kind ``review`` (``onboarding.services.
    application_open_review``), which goes through the same pipeline and committee; if one is
    already open it is reused. Side effects: the customer's status, the draft application,
    an ``AlertEvent``, the tallies, and a notification to the sales owner.
    """
    from onboarding.services import application_open_review

    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Please say why the alert is escalated."))
    with transaction.atomic():
        alert = _lock_alert(alert_id, actor)
        _refuse_closed(alert)
        customer = alert.customer
        # A code (read in the reader's language) short enough for the history's 100 characters; the
        # indicator and the note stay on the alert, which the history's link leads to.
        reason = message("monitoring.alert_escalated", id=alert.pk, user=str(actor))
        review = application_open_review(customer=customer, reason=reason)
        now = timezone.now()
        previous = alert.status
        alert.status = AlertStatus.ESCALATED
        alert.closed_at = now
        alert.closed_by = actor
        alert.note = note
        alert.review_application = review
        alert.save(update_fields=["status", "closed_at", "closed_by", "note", "review_application"])
        AlertEvent.objects.create(alert=alert, action=AlertEvent.Action.ESCALATED, actor=actor, note=note,
                                  created_at=now)
        tally_add(Counter({(alert.severity, previous): -1, (alert.severity, AlertStatus.ESCALATED): 1}))
        week_add(now, escalated=1)
        verb = message("monitoring.review_opened", customer=customer.name)
        notify(recipients=[customer.sales_owner], verb=verb,
               url=reverse("onboarding:application_detail", args=[review.pk]))
    return alert


# --- Settings (risk managers) ----------------------------------------------------------------


def settings_update(*, actor: User, cadences: dict[str, int], indicators: list[dict]) -> None:
    """Save the cadence per tier and the indicators' settings in one transaction.

    ``indicators``: dicts with indicator, enabled, threshold, severity. A shorter cadence
    brings scheduled re-evaluations of that tier forward (last evaluation + new cadence),
    so that nobody waits out the old, longer interval. History rows are kept for both.
    """
    if not perms.can_manage_settings(actor):
        raise PermissionDenied(_("Only risk managers change monitoring settings."))
    for tier, months in cadences.items():
        if tier not in TIERS or not isinstance(months, int) or not 1 <= months <= 60:
            raise ValidationError(_("A cadence is a number of months from 1 to 60."))
    now = timezone.now()
    with transaction.atomic():
        shortened = []
        changes: list[dict] = []  # for monitoring.signals.settings_changed (briefings)
        for cadence in ReviewCadence.objects.select_for_update().filter(tier__in=list(cadences)):
            months = cadences[cadence.tier]
            if cadence.months != months:
                changes.append({"subject": cadence.tier, "field": "cadence_months", "old": cadence.months, "new": months})
                if months < cadence.months:
                    shortened.append((cadence.tier, months))
                cadence.months = months
                cadence._change_reason = encode(message("monitoring.set_by", actor=str(actor)))
                cadence.save(update_fields=["months"])
        for tier in set(cadences) - set(ReviewCadence.objects.values_list("tier", flat=True)):
            ReviewCadence.objects.create(tier=tier, months=cadences[tier])
        for item in indicators:
            if item["indicator"] not in Indicator.values:
                raise ValidationError(_("Unknown indicator."))
            setting, _created = IndicatorSetting.objects.select_for_update().get_or_create(
                indicator=item["indicator"], defaults={"severity": item["severity"]},
            )
            for name in ("enabled", "threshold", "severity"):
                before, after = getattr(setting, name), item[name]
                if not _created and before != after:
                    changes.append({"subject": setting.indicator, "field": name,
                                    "old": None if before is None else str(before),
                                    "new": None if after is None else str(after)})
            setting.enabled = item["enabled"]
            setting.threshold = item["threshold"]
            setting.severity = item["severity"]
            setting.updated_by = actor
            setting.updated_at = now
            setting._change_reason = encode(message("monitoring.set_by", actor=str(actor)))
            setting.save()
        for tier, months in shortened:
            _bring_forward(tier, months)
        if changes:
            settings_changed.send(sender=IndicatorSetting, actor=actor, changes=changes)


def _bring_forward(tier: str, months: int) -> int:
    """Move due dates of ``tier``'s customers to last evaluation + ``months`` where that is earlier.

    In batches by customer id; within a batch one update per distinct new date (evaluations
    cluster on the days runs happen, so there are few).
    """
    moved = 0
    last_id = 0
    profiles = CustomerCreditProfile.objects.filter(customer__tier=tier, last_evaluated_at__isnull=False)
    while True:
        batch = list(
            profiles.filter(pk__gt=last_id).order_by("pk").values_list("customer_id", "last_evaluated_at", "due_on")[:5000]
        )
        if not batch:
            return moved
        last_id = batch[-1][0]
        by_date: dict[date, list[int]] = {}
        for customer_id, evaluated_at, due_on in batch:
            earlier = add_months(timezone.localdate(evaluated_at), months)
            if due_on is None or earlier < due_on:
                by_date.setdefault(earlier, []).append(customer_id)
        for day, ids in by_date.items():
            moved += CustomerCreditProfile.objects.filter(pk__in=ids).update(due_on=day)


# --- Credit profiles -------------------------------------------------------------------------


def _statements_date(inputs: dict) -> date | None:
    year = inputs.get("fiscal_year")
    try:
        return date(int(year), 12, 31) if year else None
    except (TypeError, ValueError):
        return None


def profile_sync(*, application_id: int) -> CustomerCreditProfile | None:
    """Take the inputs of an approved application's evaluation as the customer's baseline.

    Runs after the committee approves (a new customer or a re-review): the admission inputs
    become the starting point of every re-evaluation, the credit data and the last
    evaluation's figures are those of the application, and the next re-evaluation is the
    committee's review date. Safe to run twice. Returns None for an application that is not
    approved or has no customer.
    """
    from screening.inputs import application_inputs
    from screening.selectors import latest_evaluation

    application = (
        Application.objects.select_related("customer", "industry").prefetch_related("financials")
        .filter(pk=application_id).first()
    )
    if application is None or application.state != State.APPROVED or application.customer_id is None:
        return None
    evaluation = latest_evaluation(application=application)
    inputs = dict(evaluation.inputs) if evaluation is not None else application_inputs(application)
    customer = application.customer
    now = timezone.now()
    with transaction.atomic():
        AdmissionInputs.objects.update_or_create(
            customer=customer,
            defaults={"inputs": inputs, "application": application, "evaluation": evaluation, "taken_at": now},
        )
        values = {
            "bureau_score": inputs.get("bureau_score"),
            "overdue_count": inputs.get("overdue_count_24m"),
            "litigation_count": inputs.get("litigation_count"),
            "tax_rating": inputs.get("tax_rating") or "",
            "as_of": timezone.localdate(evaluation.created_at) if evaluation else timezone.localdate(),
            "statements_date": _statements_date(inputs),
            "due_on": customer.next_review_date or timezone.localdate(),
            "updated_at": now,
            "last_evaluation": evaluation,
            "last_evaluated_at": evaluation.created_at if evaluation else None,
            "last_total": evaluation.total if evaluation else None,
            "last_tier": evaluation.tier if evaluation else "",
            "last_bureau_score": inputs.get("bureau_score"),
            "last_overdue_count": inputs.get("overdue_count_24m"),
            "last_litigation_count": inputs.get("litigation_count"),
            # The first run writes a snapshot of its own (the admission one belongs to the application).
            "last_fingerprint": "",
            "score_change": None,
        }
        profile, _created = CustomerCreditProfile.objects.update_or_create(
            customer=customer, defaults={**values, "data_version": F("data_version") + 1},
            create_defaults={**values, "data_version": 1},
        )
    return profile


def profiles_ensure(customer_ids: Iterable[int]) -> int:
    """Create the missing profiles of these customers (from their last approved application).

    Customers admitted before monitoring existed, or whose profile task was lost, are
    covered this way by the first run that meets them. Returns how many were created.
    """
    ids = list(customer_ids)
    if not ids:
        return 0
    missing = list(
        Customer.objects.filter(pk__in=ids, credit_profile__isnull=True).values_list("pk", "next_review_date")
    )
    created = 0
    for customer_id, next_review in missing:
        application_id = (
            Application.objects.filter(customer_id=customer_id, state=State.APPROVED)
            .order_by("-decided_at", "-pk").values_list("pk", flat=True).first()
        )
        profile = profile_sync(application_id=application_id) if application_id else None
        if profile is None:
            CustomerCreditProfile.objects.get_or_create(
                customer_id=customer_id, defaults={"due_on": next_review or timezone.localdate()}
            )
        created += 1
    return created


def customers_make_due(customer_ids: Iterable[int], *, today: date | None = None) -> int:
    """Make customers due for re-evaluation today (new data arrived). Returns how many."""
    ids = list(customer_ids)
    if not ids:
        return 0
    today = today or timezone.localdate()
    profiles_ensure(ids)
    return CustomerCreditProfile.objects.filter(pk__in=ids).update(
        due_on=today, data_version=F("data_version") + 1, updated_at=timezone.now()
    )
