"""One chunk of a run, in one transaction: re-evaluation (scoring) and re-screening (watchlists).

Called by ``monitoring.runs`` with the chunk's row locked. A chunk reads its customers in one
query, scores each with ``screening.scoring.evaluate`` (the one evaluation function), and
writes in bulk: on PostgreSQL the snapshots and run items go in with ``COPY`` and the
profiles with one ``UPDATE … FROM unnest()``; elsewhere (SQLite) with Django's bulk
operations. A snapshot is written only when it would differ from the customer's last one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import orjson
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from monitoring import conf
from monitoring.enums import MONITORED_STATUSES, Scope
from monitoring.indicators import Previous, evaluation_firings, watchlist_firing
from monitoring.models import AdmissionInputs, CustomerCreditProfile, JobRun, RunChunk, RunItem
from monitoring.services import (
    alerts_raise,
    cadence_months,
    customers_make_due,
    indicator_rules,
    next_due,
    profiles_ensure,
)
from monitoring.signals import tiers_changed
from monitoring.snapshot import ResultEncoder, fingerprint
from onboarding.models import Customer
from screening.scoring import evaluate, unchanged_until
from screening.selectors import published_compiled

logger = logging.getLogger(__name__)


@dataclass
class ChunkOutcome:
    customers: int = 0
    evaluated: int = 0
    alerts: int = 0
    errors: int = 0
    reused: int = 0  # customers whose last result stood (nothing changed), counted in ``evaluated``
    messages: list[str] = field(default_factory=list)



# --- Re-evaluation of one chunk ----------------------------------------------------------------


_ROW_SQL = (
    "SELECT c.id, c.tier, i.risk_class, p.bureau_score, p.overdue_count, p.litigation_count, p.tax_rating, "
    "p.statements_date, p.data_version, p.last_evaluation_id, p.last_total, p.last_tier, p.last_bureau_score, "
    "p.last_overdue_count, p.last_litigation_count, p.last_fingerprint, p.last_knockouts, p.unchanged_until, "
    "p.last_evaluated_at <= %s "
    "FROM onboarding_customer c "
    "JOIN monitoring_customercreditprofile p ON p.customer_id = c.id "
    "LEFT JOIN onboarding_industry i ON i.id = c.industry_id "
    "WHERE c.id >= %s AND c.id <= %s AND c.status IN ({statuses})"
)


def _rows(run: JobRun, chunk: RunChunk, now: datetime) -> list[tuple]:
    sql = _ROW_SQL.format(statuses=", ".join(["%s"] * len(MONITORED_STATUSES)))
    params: list = [now, chunk.first_id, chunk.last_id, *(str(s) for s in MONITORED_STATUSES)]
    if run.scope == Scope.DUE:
        sql += " AND (p.due_on IS NULL OR p.due_on <= %s)"
        params.append(run.cutoff)
    elif run.scope == Scope.CUSTOMER:
        sql += " AND c.id = %s"
        params.append(run.customer_id)
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY c.id", params)
        return cursor.fetchall()


def _admission_inputs(customer_ids: list[int]) -> dict[int, object]:
    """The admission inputs (JSON text, or a dict on backends that parse JSON) of these customers."""
    if not customer_ids:
        return {}
    if conf.postgres_bulk():  # JSON as text, for orjson
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT customer_id, inputs FROM monitoring_admissioninputs WHERE customer_id = ANY(%s)", [customer_ids]
            )
            return dict(cursor.fetchall())
    return dict(AdmissionInputs.objects.filter(customer_id__in=customer_ids).values_list("customer_id", "inputs"))


def _watchlist_state(first_id: int, last_id: int) -> tuple[set[int], dict[int, list[dict]]]:
    """Customers in the range with a confirmed match, and their hits not dismissed (two queries)."""
    from watchlists.enums import Disposition
    from watchlists.models import ScreeningHit

    confirmed = set()
    for customer_id, application_customer_id in (
        ScreeningHit.objects.filter(disposition=Disposition.TRUE_MATCH)
        .filter(
            Q(customer_id__gte=first_id, customer_id__lte=last_id)
            | Q(application__customer_id__gte=first_id, application__customer_id__lte=last_id)
        )
        .values_list("customer_id", "application__customer_id")
    ):
        confirmed.add(customer_id or application_customer_id)
    hits: dict[int, list[dict]] = {}
    for pk, customer_id, source, name, score, disposition in (
        ScreeningHit.objects.filter(customer_id__gte=first_id, customer_id__lte=last_id, application__isnull=True)
        .exclude(disposition=Disposition.FALSE_POSITIVE)
        .values_list("pk", "customer_id", "source__name", "entry_name", "score", "disposition")
    ):
        hits.setdefault(customer_id, []).append(
            {"id": pk, "source": source, "name": name, "score": float(score), "disposition": disposition}
        )
    return confirmed, hits


def _reusable(rows: list[tuple], *, version_id: int | None, confirmed: set[int], today: date) -> set[int]:
    """The customers of ``rows`` whose last result stands: same fingerprint, no date bound reached."""
    found = set()
    for (customer_id, _tier, risk_class, _bureau, _overdue, _litigation, _tax, _statements, data_version,
         last_evaluation_id, last_total, last_tier, _last_bureau, _last_overdue, _last_litigation, last_fingerprint,
         _last_knockouts, stable_until, evaluated_before_now) in rows:
        if (
            last_evaluation_id is not None and last_total is not None and last_tier and risk_class is not None
            and stable_until is not None and evaluated_before_now and today < stable_until
            and last_fingerprint == fingerprint(version_id, data_version, risk_class, customer_id in confirmed)
        ):
            found.add(customer_id)
    return found


@dataclass(slots=True)
class _Scored:
    customer_id: int
    inputs: dict | None  # None: the last result was reused
    result: object  # EvaluationResult, or None when reused
    total: float
    tier: str
    knockouts: str  # codes, comma-separated
    unchanged_until: date | None
    fingerprint: str
    evaluation_id: int | None  # None: a new snapshot is written
    previous_evaluation_id: int | None
    data_version: int
    bureau: int | None
    overdue: int | None
    litigation: int | None
    change: float | None
    due_on: date


def reevaluate_chunk(run: JobRun, chunk: RunChunk) -> ChunkOutcome:
    compiled = published_compiled()
    if compiled is None:
        raise RuntimeError("No scorecard version is published.")
    now = timezone.now()
    today = timezone.localdate(now)
    today_iso = today.isoformat()
    rules = indicator_rules()
    months = cadence_months()
    missing = Customer.objects.filter(
        pk__gte=chunk.first_id, pk__lte=chunk.last_id, status__in=MONITORED_STATUSES, credit_profile__isnull=True,
    )
    if run.scope == Scope.CUSTOMER:
        missing = missing.filter(pk=run.customer_id)
    profiles_ensure(missing.values_list("pk", flat=True))
    rows = _rows(run, chunk, now)
    confirmed, hits = _watchlist_state(chunk.first_id, chunk.last_id)
    version_id = compiled.version_id
    threshold = compiled.admission_threshold
    outcome = ChunkOutcome(customers=len(rows))
    # A customer whose data, model, industry class and watchlist state are those of its last
    # evaluation, and whose years in business cross no bound before ``unchanged_until``, would
    # get the same result again (``evaluate`` is pure): it is reused, not scored. Only in the
    # scheduled runs of due customers: asked for by hand (one customer, or all), every
    # customer is scored afresh.
    reusable = _reusable(rows, version_id=version_id, confirmed=confirmed, today=today) if run.scope == Scope.DUE else set()
    admissions = _admission_inputs([row[0] for row in rows if row[0] not in reusable])
    scored: list[_Scored] = []
    previous: dict[int, str] = {}  # customer → tier before this run, for the tiers_changed signal
    firings = []
    loads = orjson.loads
    due_dates: dict[tuple[str, str], date] = {}
    for (customer_id, customer_tier, risk_class, bureau, overdue, litigation, tax, statements_date, data_version,
         last_evaluation_id, last_total, last_tier, last_bureau, last_overdue, last_litigation, last_fingerprint,
         last_knockouts, stable_until, _evaluated_before_now) in rows:
        previous[customer_id] = last_tier or ""
        try:
            previous_total = float(last_total) if last_total is not None else None
            if customer_id in reusable:
                inputs = result = None
                total, tier, knockouts, digest = previous_total, last_tier, last_knockouts, last_fingerprint
                same = True
            else:
                admission = admissions.get(customer_id)
                inputs = loads(admission) if admission.__class__ is str else dict(admission or {})
                if inputs.__class__ is not dict:
                    raise ValueError("its admission inputs are not a JSON object")
                inputs["as_of"] = today_iso
                inputs["bureau_score"] = bureau
                inputs["overdue_count_24m"] = overdue
                inputs["litigation_count"] = litigation
                inputs["tax_rating"] = tax or None
                if risk_class is not None:
                    inputs["industry_risk_class"] = risk_class
                inputs["watchlist_true_match"] = customer_id in confirmed
                result = evaluate(compiled, inputs)
                stable_until = unchanged_until(compiled, inputs)
                digest = fingerprint(version_id, data_version, inputs.get("industry_risk_class"),
                                     inputs["watchlist_true_match"])
                total, tier = result.total, result.tier
                knockouts = ",".join(k.code for k in result.knockouts)
                same = (
                    digest == last_fingerprint and last_evaluation_id is not None and previous_total == total
                    and last_tier == tier
                )
            firings.extend(evaluation_firings(
                rules, customer_id=customer_id, total=total, tier=tier,
                knockouts=knockouts.split(",") if knockouts else [], admission_threshold=threshold,
                previous=Previous(previous_total, last_tier or None, last_bureau, last_overdue, last_litigation),
                bureau_score=bureau, overdue_count=overdue, litigation_count=litigation,
                statements_date=statements_date, today=today,
            ))
            customer_hits = hits.get(customer_id)
            if customer_hits:
                found = watchlist_firing(rules, customer_id=customer_id, hits=customer_hits)
                if found is not None:
                    firings.append(found)
            tiers = (customer_tier, tier)
            due_on = due_dates.get(tiers)
            if due_on is None:
                due_on = due_dates[tiers] = next_due(
                    customer_tier=customer_tier, evaluated_tier=tier, months=months, today=today,
                )
            scored.append(_Scored(
                customer_id, inputs, result, total, tier, knockouts, stable_until, digest,
                last_evaluation_id if same else None, last_evaluation_id, data_version, bureau, overdue, litigation,
                round(total - previous_total, 2) if previous_total is not None else None, due_on,
            ))
        except Exception as error:  # one customer's bad data must not stop the others
            logger.exception("Re-evaluating customer %s failed", customer_id)
            outcome.errors += 1
            outcome.messages.append(f"customer {customer_id}: {error}")
    outcome.reused = len(reusable)
    writer = _PostgresWriter if conf.postgres_bulk() else _OrmWriter
    writer.write(run=run, compiled=compiled, scored=scored, now=now)
    outcome.evaluated = len(scored)
    changed = [(s.customer_id, s.evaluation_id, previous[s.customer_id], s.tier) for s in scored
               if previous.get(s.customer_id) and previous[s.customer_id] != s.tier]
    if changed:
        transaction.on_commit(lambda: tiers_changed.send(sender=Customer, changes=changed))
    outcome.alerts = alerts_raise(
        firings, now=now, run_id=run.pk,
        evaluations={s.customer_id: (s.evaluation_id, s.previous_evaluation_id) for s in scored},
    )
    return outcome


def _copy_text(value: str) -> str:
    # COPY's text format treats backslash as the escape character.
    return value.replace("\\", "\\\\")


_NULL = "\\N"  # COPY's NULL


def _null(value) -> str:
    return _NULL if value is None else str(value)


_PROFILE_UPDATES = (
    "CREATE TEMP TABLE IF NOT EXISTS monitoring_profile_update (customer_id bigint, evaluation_id bigint, "
    "total numeric(5,2), tier varchar(1), bureau int, overdue int, litigation int, fingerprint varchar(32), "
    "change numeric(6,2), due_on date, data_version int, knockouts varchar(200), unchanged_until date) "
    "ON COMMIT DELETE ROWS"
)


class _PostgresWriter:
    """COPY for the snapshots and run items; the profiles through a COPY into a temporary table
    and one ``UPDATE … FROM`` it (cheaper than binding eleven arrays of 2,000 values)."""

    @staticmethod
    def write(*, run: JobRun, compiled, scored: list[_Scored], now: datetime) -> None:
        if not scored:
            return
        fresh = [s for s in scored if s.evaluation_id is None]
        encoder = _encoder(compiled)
        stamp = now.isoformat()
        dumps = orjson.dumps
        with connection.cursor() as cursor:
            if fresh:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence('screening_evaluation', 'id')) "
                    "FROM generate_series(1, %s)", [len(fresh)],
                )
                for item, (new_id,) in zip(fresh, cursor.fetchall(), strict=True):
                    item.evaluation_id = new_id
                lines = []
                append = lines.append
                version_id = compiled.version_id
                for item in fresh:
                    result = item.result
                    append(
                        f"{item.evaluation_id}\t{item.customer_id}\t{version_id}\t"
                        f"{_copy_text(dumps(item.inputs).decode())}\t{_copy_text(encoder.encode(result))}\t"
                        f"{result.total:.2f}\t{result.tier}\t{_copy_text(encoder.knockouts(result))}\t"
                        f"{'t' if result.passed else 'f'}\t{stamp}\n"
                    )
                with cursor.copy(
                    "COPY screening_evaluation (id, customer_id, version_id, inputs, result, total, tier, knockouts, "
                    "passed, created_at) FROM STDIN"
                ) as copy:
                    copy.write("".join(lines))
            run_id = run.pk
            with cursor.copy("COPY monitoring_runitem (run_id, customer_id, evaluation_id, total, tier) FROM STDIN") as copy:
                copy.write("".join(
                    f"{run_id}\t{s.customer_id}\t{s.evaluation_id}\t{s.total:.2f}\t{s.tier}\n"
                    for s in scored
                ))
            scored_again = [s for s in scored if s.result is not None]
            if scored_again:
                cursor.execute(_PROFILE_UPDATES)
                with cursor.copy("COPY monitoring_profile_update FROM STDIN") as copy:
                    copy.write("".join(
                        f"{s.customer_id}\t{s.evaluation_id}\t{s.total:.2f}\t{s.tier}\t{_null(s.bureau)}\t"
                        f"{_null(s.overdue)}\t{_null(s.litigation)}\t{s.fingerprint}\t"
                        f"{_NULL if s.change is None else format(s.change, '.2f')}\t{s.due_on}\t{s.data_version}\t"
                        f"{s.knockouts}\t{_null(s.unchanged_until)}\n"
                        for s in scored_again
                    ))
                cursor.execute(
                    "UPDATE monitoring_customercreditprofile AS p SET "
                    "last_evaluation_id = v.evaluation_id, last_evaluated_at = %s, last_total = v.total, "
                    "last_tier = v.tier, last_bureau_score = v.bureau, last_overdue_count = v.overdue, "
                    "last_litigation_count = v.litigation, last_fingerprint = v.fingerprint, score_change = v.change, "
                    "last_knockouts = v.knockouts, unchanged_until = v.unchanged_until, "
                    # Data that arrived after the read keeps the customer due (see data_version).
                    "due_on = CASE WHEN p.data_version = v.data_version THEN v.due_on ELSE p.due_on END "
                    "FROM monitoring_profile_update v WHERE p.customer_id = v.customer_id",
                    [now],
                )
            # A reused result changes only the date, the score change (none) and the next due date,
            # which depends on the tiers only: one UPDATE per due date, not a row of every figure.
            by_due: dict[date, tuple[list[int], list[int]]] = {}
            for s in scored:
                if s.result is None:
                    ids, versions = by_due.setdefault(s.due_on, ([], []))
                    ids.append(s.customer_id)
                    versions.append(s.data_version)
            for due_on, (ids, versions) in sorted(by_due.items()):
                cursor.execute(
                    "UPDATE monitoring_customercreditprofile AS p SET last_evaluated_at = %s, score_change = 0, "
                    "due_on = CASE WHEN p.data_version = v.data_version THEN %s ELSE p.due_on END "
                    "FROM unnest(%s::bigint[], %s::bigint[]) AS v(customer_id, data_version) "
                    "WHERE p.customer_id = v.customer_id",
                    [now, due_on, ids, versions],
                )


class _OrmWriter:
    """The same writes with Django's bulk operations (SQLite, where one writer runs at a time)."""

    @staticmethod
    def write(*, run: JobRun, compiled, scored: list[_Scored], now: datetime) -> None:
        from screening.services import evaluation_build

        fresh = [s for s in scored if s.evaluation_id is None]
        built = []
        for item in fresh:
            evaluation = evaluation_build(
                compiled=compiled, inputs=item.inputs, result=item.result, customer=None,
            )
            evaluation.customer_id = item.customer_id
            evaluation.created_at = now
            built.append(evaluation)
        from screening.models import Evaluation

        Evaluation.objects.bulk_create(built, batch_size=500)
        for item, evaluation in zip(fresh, built, strict=True):
            item.evaluation_id = evaluation.pk
        RunItem.objects.bulk_create(
            [
                RunItem(run=run, customer_id=s.customer_id, evaluation_id=s.evaluation_id,
                        total=Decimal(f"{s.total:.2f}"), tier=s.tier)
                for s in scored
            ],
            batch_size=1000,
        )
        versions = dict(
            CustomerCreditProfile.objects.filter(pk__in=[s.customer_id for s in scored])
            .values_list("pk", "data_version")
        )
        profiles = []
        for s in scored:
            profile = CustomerCreditProfile(
                customer_id=s.customer_id, last_evaluation_id=s.evaluation_id, last_evaluated_at=now,
                last_total=Decimal(f"{s.total:.2f}"), last_tier=s.tier, last_bureau_score=s.bureau,
                last_overdue_count=s.overdue, last_litigation_count=s.litigation, last_fingerprint=s.fingerprint,
                score_change=None if s.change is None else Decimal(f"{s.change:.2f}"),
                last_knockouts=s.knockouts, unchanged_until=s.unchanged_until,
            )
            profile.due_on = s.due_on if versions.get(s.customer_id) == s.data_version else None
            profiles.append(profile)
        fields = ["last_evaluation", "last_evaluated_at", "last_total", "last_tier", "last_bureau_score",
                  "last_overdue_count", "last_litigation_count", "last_fingerprint", "score_change",
                  "last_knockouts", "unchanged_until"]
        CustomerCreditProfile.objects.bulk_update(profiles, fields, batch_size=500)
        CustomerCreditProfile.objects.bulk_update([p for p in profiles if p.due_on is not None], ["due_on"],
                                                  batch_size=500)


_encoders: dict[int, ResultEncoder] = {}


def _encoder(compiled) -> ResultEncoder:
    found = _encoders.get(id(compiled))
    if found is None or found.compiled is not compiled:
        found = _encoders[id(compiled)] = ResultEncoder(compiled)
    return found


# --- Re-screening of one chunk -----------------------------------------------------------------


def rescreen_chunk(run: JobRun, chunk: RunChunk) -> ChunkOutcome:
    from watchlists.services import screen_customers

    now = timezone.now()
    customers = Customer.objects.filter(
        pk__gte=chunk.first_id, pk__lte=chunk.last_id, status__in=MONITORED_STATUSES
    )
    if run.scope == Scope.CUSTOMER:
        customers = customers.filter(pk=run.customer_id)
    ids = list(customers.order_by("pk").values_list("pk", flat=True))
    new_hits = screen_customers(ids)
    customers_make_due([pk for pk, count in new_hits.items() if count], today=timezone.localdate(now))
    _confirmed, hits = _watchlist_state(chunk.first_id, chunk.last_id)
    rules = indicator_rules()
    firings = [
        found for customer_id in ids
        if customer_id in hits and (found := watchlist_firing(rules, customer_id=customer_id, hits=hits[customer_id]))
    ]
    return ChunkOutcome(
        customers=len(ids), evaluated=len(ids), alerts=alerts_raise(firings, now=now, run_id=run.pk),
    )
