"""The data ``bench_pages`` measures with: N applications as years of a busy desk leave them.

Applications are created with ``bulk_create`` and given the state their transitions would have
led to in one SQL ``UPDATE`` (bench only: in the code only the transition function writes the
state); their state history, documents,
history records, committee rounds, customers, conditions, notifications and alerts are
inserted with SQL shaped like the rows the services write. Only ``bench_pages`` calls this, on
a database of its own.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role
from approvals.models import Round
from approvals.selectors import policy_for_tier
from monitoring.enums import Indicator
from monitoring.selectors import statistics_refresh
from monitoring.services import alert_tallies_recount
from onboarding.enums import CustomerType, State
from onboarding.models import Application, Customer, Industry

# Open work does not grow with history: a desk has a few hundred applications in flight
# whether it has decided a thousand or a hundred thousand.
OPEN_SHARE = {State.DRAFT: 60, State.DOCUMENT_REVIEW: 80, State.BACKGROUND_CHECK: 60,
              State.COMMITTEE_REVIEW: 40, State.RETURNED: 60}
DECIDED_SHARE = {State.APPROVED: 70, State.REJECTED: 20, State.WITHDRAWN: 10}
# The transitions that lead to each state, as application_transition records them.
PATHS = {
    State.DRAFT: [],
    State.DOCUMENT_REVIEW: [("submit", State.DRAFT, State.DOCUMENT_REVIEW)],
    State.BACKGROUND_CHECK: [("submit", State.DRAFT, State.DOCUMENT_REVIEW),
                             ("pass_documents", State.DOCUMENT_REVIEW, State.BACKGROUND_CHECK)],
    State.COMMITTEE_REVIEW: [("submit", State.DRAFT, State.DOCUMENT_REVIEW),
                             ("pass_documents", State.DOCUMENT_REVIEW, State.BACKGROUND_CHECK),
                             ("pass_background_check", State.BACKGROUND_CHECK, State.COMMITTEE_REVIEW)],
    State.RETURNED: [("submit", State.DRAFT, State.DOCUMENT_REVIEW),
                     ("return_for_information", State.DOCUMENT_REVIEW, State.RETURNED)],
    State.APPROVED: [("submit", State.DRAFT, State.DOCUMENT_REVIEW),
                     ("pass_documents", State.DOCUMENT_REVIEW, State.BACKGROUND_CHECK),
                     ("pass_background_check", State.BACKGROUND_CHECK, State.COMMITTEE_REVIEW),
                     ("approve", State.COMMITTEE_REVIEW, State.APPROVED)],
    State.REJECTED: [("submit", State.DRAFT, State.DOCUMENT_REVIEW),
                     ("pass_documents", State.DOCUMENT_REVIEW, State.BACKGROUND_CHECK),
                     ("reject", State.BACKGROUND_CHECK, State.REJECTED)],
    State.WITHDRAWN: [("withdraw", State.DRAFT, State.WITHDRAWN)],
}
PEOPLE = {Role.SALES: 20, Role.DOCUMENT_REVIEWER: 3, Role.INVESTIGATOR: 3, Role.APPROVER_FINANCE: 2,
          Role.APPROVER_LEGAL: 2, Role.APPROVER_BUSINESS: 2, Role.RISK_MANAGER: 3}
TABLES = (
    "monitoring_alertevent", "monitoring_alert", "monitoring_alerttally", "monitoring_alertweek",
    "approvals_votecondition", "approvals_vote", "approvals_round", "onboarding_historicaldocument",
    "onboarding_document", "onboarding_statechange", "onboarding_historicalapplication", "onboarding_application",
    "onboarding_historicalcustomercondition", "onboarding_customercondition", "onboarding_historicalcustomer",
    "onboarding_customer", "accounts_notification",
)


def people() -> dict[str, list[User]]:
    """The bench users by role (``bench-<role>-<k>``), with an authenticator app each."""
    found: dict[str, list[User]] = {}
    for role, count in PEOPLE.items():
        group = Group.objects.get(name=role)
        for k in range(count):
            user, created = User.objects.get_or_create(
                username=f"bench-{role}-{k}", defaults={"first_name": f"{role} {k}", "email": f"{role}{k}@bench.test"}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(group)
                TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
            found.setdefault(role, []).append(user)
    return found


def _states(n: int) -> list[str]:
    open_total = min(sum(OPEN_SHARE.values()), n // 3)
    states = []
    for state, share in OPEN_SHARE.items():
        states += [state] * round(open_total * share / sum(OPEN_SHARE.values()))
    decided = n - len(states)
    for state, share in DECIDED_SHARE.items():
        states += [state] * round(decided * share / 100)
    states += [State.APPROVED] * (n - len(states))
    return states[:n]


def build(n: int, alerts: int, *, seed: int = 7, out=print) -> None:
    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    staff = people()
    sales, reviewers, investigators = staff[Role.SALES], staff[Role.DOCUMENT_REVIEWER], staff[Role.INVESTIGATOR]
    industries = list(Industry.objects.values_list("pk", flat=True))
    now = timezone.now()
    years = max(30, n // 90)  # days of history: ~90 applications a day at a busy desk
    states = _states(n)
    rng.shuffle(states)
    applications = []
    for i, state in enumerate(states):
        open_ = state not in DECIDED_SHARE
        created = now - timedelta(days=rng.uniform(0, 20 if open_ else years), seconds=i)
        submitted = created + timedelta(hours=rng.uniform(1, 48)) if state != State.DRAFT else None
        entered = (now - timedelta(days=rng.uniform(0, 8))) if open_ else created + timedelta(days=rng.uniform(3, 20))
        if state == State.DRAFT:
            entered = created
        applications.append(Application(
            state_entered_at=entered, created_by=sales[i % len(sales)],
            submitted_at=submitted, decided_at=entered if not open_ else None,
            document_reviewer=reviewers[i % 3] if state not in (State.DRAFT, State.DOCUMENT_REVIEW) else None,
            investigator=investigators[i % 3] if state in (State.COMMITTEE_REVIEW, State.APPROVED) else None,
            legal_name_zh=f"基准测试企业{i:06d}有限公司", legal_name_en=f"Bench Company {i:06d} Ltd.",
            credit_code=f"91310000{i:010d}", registered_capital=rng.choice([1e6, 5e6, 2e7]),
            legal_representative=f"法人{i % 997}", registered_address="上海市浦东新区", operating_address="上海市浦东新区",
            industry_id=rng.choice(industries), customer_type=rng.choice(CustomerType.values),
            main_products="工业零部件", market_position="average", top_customers="A, B, C", top_customer_share=40,
            main_suppliers="D, E", employees=rng.randint(20, 2000), bureau_score=rng.randint(560, 800),
            overdue_count_24m=0, litigation_count=0, tax_rating="A",
            requested_credit_limit=rng.choice([500_000, 1_000_000, 5_000_000]), requested_payment_terms=30,
        ))
    with transaction.atomic():
        Application.objects.bulk_create(applications, batch_size=5000)
        # The states the transitions would have led to, in SQL: in the code only the transition
        # function writes the state (tests/test_boundaries.py). And auto_now_add stamped them all
        # now: spread them over the history instead.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE onboarding_application SET state = v.s, created_at = v.c, updated_at = v.c FROM "
                "(SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS s, unnest(%s::timestamptz[]) AS c) v "
                "WHERE v.id = onboarding_application.id",
                [[a.pk for a in applications], [str(state) for state in states],
                 [a.state_entered_at - timedelta(days=2) if state != State.DRAFT else a.state_entered_at
                  for a, state in zip(applications, states, strict=True)]],
            )
    out(f"  {n:,} applications")
    _history(staff)
    out("  state changes, documents, history records")
    _customers(rng)
    out(f"  {Customer.objects.count():,} customers with conditions")
    _rounds(staff)
    _notifications(staff, n)
    _alerts(alerts, staff[Role.RISK_MANAGER])
    out(f"  {alerts:,} alerts, summaries refreshed")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _history(staff) -> None:
    reviewer = staff[Role.DOCUMENT_REVIEWER][0].pk
    with connection.cursor() as cursor:
        for final, path in PATHS.items():
            for step, (transition, source, target) in enumerate(path):
                last = step == len(path) - 1
                cursor.execute(
                    "INSERT INTO onboarding_statechange (application_id, transition, from_state, to_state, actor_id, "
                    "reason, created_at) SELECT id, %s, %s, %s, CASE WHEN %s IN ('submit', 'withdraw') THEN created_by_id "
                    "ELSE %s END, '', CASE WHEN %s THEN state_entered_at ELSE created_at + (%s || ' hours')::interval END "
                    "FROM onboarding_application WHERE state = %s",
                    [transition, source, target, transition, reviewer, last, 24 * (step + 1), final],
                )
        # What the documents step leaves: one document per required type, accepted once past review.
        cursor.execute(
            "INSERT INTO onboarding_document (application_id, document_type_id, file, original_name, content_type, size, "
            "sha256, uploaded_by_id, uploaded_at, version, is_current, status, review_reason, reviewed_by_id, "
            "reviewed_at) SELECT a.id, r.document_type_id, 'documents/' || a.id || '/' || md5(a.id || '-' || "
            "r.document_type_id) || '.pdf', 'scan.pdf', 'application/pdf', 250000, md5(a.id::text) || md5(a.id::text), "
            "a.created_by_id, a.created_at + interval '1 hour', 1, true, CASE WHEN a.state IN ('document_review', "
            "'returned') THEN 'pending' ELSE 'accepted' END, '', CASE WHEN a.state IN ('document_review', 'returned') "
            "THEN NULL ELSE %s END, CASE WHEN a.state IN ('document_review', 'returned') THEN NULL ELSE a.created_at "
            "+ interval '30 hours' END FROM onboarding_application a JOIN onboarding_documentrequirement r ON "
            "r.customer_type = a.customer_type AND r.required WHERE a.state <> 'draft'",
            [reviewer],
        )
        cursor.execute(
            "INSERT INTO onboarding_historicaldocument (id, file, original_name, content_type, size, sha256, uploaded_at, "
            "version, is_current, status, review_reason, reviewed_at, history_date, history_change_reason, "
            "history_type, application_id, document_type_id, history_user_id, replaces_id, reviewed_by_id, "
            "uploaded_by_id) SELECT id, file, original_name, content_type, size, sha256, uploaded_at, version, "
            "is_current, status, review_reason, reviewed_at, uploaded_at, NULL, '+', application_id, document_type_id, "
            "uploaded_by_id, NULL, reviewed_by_id, uploaded_by_id FROM onboarding_document"
        )
        columns = [f.column for f in Application._meta.concrete_fields if f.column != "updated_at"]
        listed = ", ".join(columns)
        # A record when created and one when it reached its present state (simple-history's rows).
        for kind, when, user in (("+", "created_at", "created_by_id"), ("~", "state_entered_at", "created_by_id")):
            where = " WHERE state <> 'draft'" if kind == "~" else ""
            sql = (  # the column names come from the model, not from input
                f"INSERT INTO onboarding_historicalapplication ({listed}, history_date, history_change_reason, "  # noqa: S608
                f"history_type, history_user_id) SELECT {listed}, {when}, NULL, %s, {user} FROM onboarding_application"
                f"{where}"
            )
            cursor.execute(sql, [kind])


def _customers(rng: random.Random) -> None:
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO onboarding_customer (name, credit_code, customer_type, industry_id, status, tier, credit_limit, "
            "payment_terms_days, sales_owner_id, admitted_at, next_review_date) SELECT legal_name_zh, credit_code, "
            "customer_type, industry_id, CASE WHEN id %% 23 = 0 THEN 'suspended' WHEN id %% 17 = 0 THEN 'under_review' "
            "ELSE 'active' END, (ARRAY['A','B','B','C','C','D'])[1 + id %% 6], requested_credit_limit, 30, "
            "created_by_id, decided_at, %s::date + (id %% 400 - 30)::int FROM onboarding_application WHERE state = 'approved'",
            [today],
        )
        cursor.execute(
            "UPDATE onboarding_application a SET customer_id = c.id FROM onboarding_customer c "
            "WHERE c.credit_code = a.credit_code AND a.state = 'approved'"
        )
        cursor.execute(
            "INSERT INTO onboarding_historicalcustomer (id, name, credit_code, customer_type, status, tier, credit_limit, "
            "payment_terms_days, admitted_at, next_review_date, history_date, history_change_reason, history_type, "
            "history_user_id, industry_id, sales_owner_id) SELECT id, name, credit_code, customer_type, status, tier, "
            "credit_limit, payment_terms_days, admitted_at, next_review_date, admitted_at, 'Admitted', '+', NULL, "
            "industry_id, sales_owner_id FROM onboarding_customer"
        )
        # One customer in five admitted with conditions: two, one of them fulfilled, some overdue.
        cursor.execute(
            "INSERT INTO onboarding_customercondition (customer_id, application_id, text, due_date, fulfilled_at) "
            "SELECT c.id, a.id, '提供最新季度财务报表', %s::date + (c.id %% 90 - 20)::int, CASE WHEN k = 1 THEN c.admitted_at "
            "+ interval '20 days' END FROM onboarding_customer c JOIN onboarding_application a ON a.customer_id = c.id, "
            "generate_series(1, 2) k WHERE c.id %% 5 = 0",
            [today],
        )


def _rounds(staff) -> None:
    policy = policy_for_tier("D").snapshot(tier="D", evaluated=False)
    in_committee = Application.objects.filter(state=State.COMMITTEE_REVIEW).values_list("pk", "state_entered_at")
    Round.objects.bulk_create(
        Round(application_id=pk, number=1, opened_at=entered, policy=policy) for pk, entered in in_committee
    )
    closed_rounds(staff)


def closed_rounds(staff) -> None:
    """The closed round of every approved application, with its three approving votes: the round
    and vote tables grow with history, while the committee queue reads only the open rounds."""
    policy = policy_for_tier("D").snapshot(tier="D", evaluated=False)
    voters = {"finance": Role.APPROVER_FINANCE, "legal": Role.APPROVER_LEGAL, "business": Role.APPROVER_BUSINESS}
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO approvals_round (application_id, number, opened_at, policy, closed_at, outcome) "
            "SELECT id, 1, state_entered_at - interval '2 days', %s::jsonb, state_entered_at, 'approved' "
            "FROM onboarding_application WHERE state = 'approved' ON CONFLICT DO NOTHING",
            [json.dumps(policy)],
        )
        for department, role in voters.items():
            cursor.execute(
                "INSERT INTO approvals_vote (round_id, department, voter_id, decision, reason, customer_action, "
                "created_at) SELECT id, %s, %s, 'approve', '', '', closed_at - interval '1 hour' FROM approvals_round "
                "WHERE closed_at IS NOT NULL ON CONFLICT DO NOTHING",
                [department, staff[role][0].pk],
            )


def _notifications(staff, n: int) -> None:
    """Each bench user has a few unread notifications and the read ones of years of work."""
    with connection.cursor() as cursor:
        for users in staff.values():
            for user in users:
                cursor.execute(
                    "INSERT INTO accounts_notification (recipient_id, verb, url, created_at, read_at, emailed_at) "
                    "SELECT %s, 'APP-' || g || ' 等待您处理', '/applications/1/', now() - g * interval '1 hour', "
                    "CASE WHEN g > 5 THEN now() END, now() FROM generate_series(1, %s) g",
                    [user.pk, 5 + n // 50],
                )


def _alerts(target: int, managers: list[User]) -> None:
    """Alerts over the customers, as monitoring leaves them (the same shape as bench_monitoring's)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM onboarding_customer")
        top = cursor.fetchone()[0] or 0
        missing, offset = (target if top else 0), 0
        indicators = Indicator.values
        while missing > 0:
            cursor.execute(
                "INSERT INTO monitoring_alert (customer_id, indicator, severity, status, opened_at, last_seen_at, "
                "evidence, assignee_id, acknowledged_at, closed_at, note) "
                "SELECT 1 + (g::bigint * 7919) %% %(top)s, (%(indicators)s::text[])[1 + (g / %(top)s + g) %% %(ni)s], "
                "(ARRAY['low','medium','medium','high','high','critical'])[1 + g %% 6], "
                "s.status, now() - (g %% (84 * 24)) * interval '1 hour', now(), "
                "'[{\"facts\": {\"previous\": 700, \"current\": 640}}]'::jsonb, "
                "CASE WHEN s.status = 'open' THEN NULL ELSE (%(managers)s::bigint[])[1 + g %% %(nm)s] END, "
                "CASE WHEN s.status = 'open' THEN NULL ELSE now() END, "
                "CASE WHEN s.status IN ('resolved', 'escalated') THEN now() END, '' "
                "FROM generate_series(%(start)s, %(stop)s) g, LATERAL (SELECT CASE WHEN g %% 20 < 14 THEN 'resolved' "
                "WHEN g %% 20 < 16 THEN 'escalated' WHEN g %% 20 < 18 THEN 'acknowledged' ELSE 'open' END "
                "AS status) s ON CONFLICT (customer_id, indicator) WHERE status IN ('open', 'acknowledged') DO NOTHING",
                {"top": top, "indicators": indicators, "ni": len(indicators), "managers": [m.pk for m in managers],
                 "nm": len(managers), "start": offset + 1, "stop": offset + missing},
            )
            offset += missing
            missing -= cursor.rowcount
            if offset > 20 * target:
                break  # few customers: the open ones are unique per customer and indicator
        cursor.execute(
            "INSERT INTO monitoring_alertweek (week, opened, resolved, escalated) "
            "SELECT date_trunc('week', opened_at)::date, count(*), count(*) FILTER (WHERE status = 'resolved'), "
            "count(*) FILTER (WHERE status = 'escalated') FROM monitoring_alert GROUP BY 1 "
            "ON CONFLICT (week) DO UPDATE SET opened = EXCLUDED.opened, resolved = EXCLUDED.resolved, "
            "escalated = EXCLUDED.escalated"
        )
    alert_tallies_recount()
    statistics_refresh()
