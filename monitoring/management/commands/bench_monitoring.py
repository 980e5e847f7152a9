"""Benchmark monitoring at scale on PostgreSQL (a command, not a test; see docs/performance.md).

    DATABASE_URL=postgres://…/vetted_bench_monitoring python manage.py bench_monitoring --customers 1000000

1. Creates N admitted customers with their admission inputs, a baseline evaluation each and
   credit profiles as a run 30 days ago left them (figures, fingerprint, ``unchanged_until``),
   all due today; ``--changed`` percent of them get new bureau data.
2. Runs one full re-evaluation with ``--workers`` processes calling ``monitoring.runs.work``
   (what the Celery work tasks call) and prints customers per second, total time, how many
   were scored and how many reused their last result, alerts raised, snapshots written and
   peak memory; then times one plain SQL ``UPDATE`` of the
   same N profile rows: the floor.
3. Tops the alerts up to ``--alerts`` (1,000,000) and loads the dashboard and the alert list
   (several filters, a second page) through the whole Django stack, printing p50/p95 and
   query counts.

Refuses to run on a database with applications in it: use a database of its own.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import resource
import statistics
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from monitoring import runs
from monitoring.enums import Indicator, Scope, Trigger
from monitoring.models import JobRun, RunChunk
from monitoring.selectors import statistics_refresh
from monitoring.services import alert_tallies_recount
from monitoring.snapshot import fingerprint
from onboarding.models import Application, Industry
from screening.scoring import evaluate, unchanged_until
from screening.selectors import published_compiled

ARCHETYPES = 1000
TABLES = (
    "monitoring_runitem", "monitoring_alertevent", "monitoring_alert", "monitoring_alerttally", "monitoring_alertweek",
    "monitoring_runchunk", "monitoring_jobrun", "monitoring_customercreditprofile", "monitoring_admissioninputs",
    "monitoring_statistic", "screening_evaluation", "onboarding_customercondition", "onboarding_customer",
)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def _work(run_id: int) -> None:
    connections.close_all()
    runs.work(run_id=run_id, budget=10**9)
    connections.close_all()


class Command(BaseCommand):
    help = "Benchmark the re-evaluation of N customers and the dashboard with a million alerts (PostgreSQL)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--customers", type=int, default=100_000)
        parser.add_argument("--changed", type=float, default=10.0,
                            help="percent of customers with new bureau data before the run (default 10)")
        parser.add_argument("--workers", type=int, default=2, help="processes working on the run (default 2)")
        parser.add_argument("--alerts", type=int, default=1_000_000, help="alerts in the table for the page timings")
        parser.add_argument("--requests", type=int, default=30, help="requests per page measured")
        parser.add_argument("--skip-setup", action="store_true",
                            help="reuse the customers of the last run (all due again, --changed get new data)")
        parser.add_argument("--skip-run", action="store_true", help="only the page timings")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_monitoring needs PostgreSQL (DATABASE_URL=postgres://…).")
        if Application.objects.exists():
            raise CommandError("This database holds applications: run the benchmark on a database of its own.")
        compiled = published_compiled()
        if compiled is None:
            raise CommandError("No published scorecard (run migrate on a fresh database).")
        random.seed(options["seed"])
        n = options["customers"]
        out = self.stdout.write
        out(f"PostgreSQL {connection.cursor().connection.info.server_version}, {multiprocessing.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.1f} (other processes share these CPUs), "
            f"{n:,} customers, {options['changed']}% with new bureau data, {options['workers']} workers")
        if not options["skip_setup"]:
            started = time.perf_counter()
            self.setup(n, compiled, options["changed"])
            out(f"setup: {time.perf_counter() - started:,.1f} s")
        elif not options["skip_run"]:
            self.due_again(options["changed"])
        if not options["skip_run"]:
            self.reevaluate(n, options["workers"])
        self.pages(options["alerts"], options["requests"])

    # --- 1. Data ---------------------------------------------------------------------------

    def setup(self, n: int, compiled, changed: float) -> None:
        today = timezone.localdate()
        then = today - timedelta(days=30)
        industries = list(Industry.objects.values_list("pk", "risk_class"))
        owner, _created = User.objects.get_or_create(username="bench-sales")
        owner.groups.add(Group.objects.get(name=Role.SALES))
        archetypes = []
        k = 0
        while len(archetypes) < ARCHETYPES:
            industry_id, risk_class = random.choice(industries)
            revenue = random.choice([4e6, 15e6, 60e6, 250e6, 800e6]) * random.uniform(0.7, 1.3)
            assets = revenue * random.uniform(0.6, 1.8)
            liabilities = assets * random.uniform(0.25, 0.95)
            inputs = {
                "fiscal_year": today.year - (2 if random.random() < 0.02 else 1), "revenue": round(revenue, 2),
                "net_profit": round(revenue * random.uniform(-0.05, 0.15), 2), "total_assets": round(assets, 2),
                "total_liabilities": round(liabilities, 2), "current_assets": round(assets * random.uniform(0.3, 0.7), 2),
                "current_liabilities": round(liabilities * random.uniform(0.4, 0.8), 2),
                "operating_cash_flow": round(revenue * random.uniform(-0.02, 0.2), 2),
                "registration_date": f"{random.randint(1995, 2023)}-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}",
                "as_of": then.isoformat(), "registered_capital": float(random.choice([1e6, 5e6, 2e7, 5e7, 2e8])),
                "capital_currency": "CNY", "industry_risk_class": risk_class,
                "top_customer_share": float(random.randint(10, 90)),
                "market_position": random.choice(["leader", "strong", "average", "weak"]),
                "bureau_score": random.randint(560, 800), "overdue_count_24m": random.choice([0, 0, 0, 1, 2]),
                "litigation_count": random.choice([0, 0, 1, 2]), "tax_rating": random.choice("AAABBM"),
                "watchlist_true_match": False,
            }
            result = evaluate(compiled, inputs)
            if not result.passed:
                continue  # admitted customers passed the scorecard at admission
            # As the last run left the profile: its figures and until when they stand (unchanged_until).
            archetypes.append((k, industry_id, inputs, result.total, result.tier,
                               fingerprint(compiled.version_id, 1, risk_class, False),
                               unchanged_until(compiled, inputs)))
            k += 1
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
            cursor.execute("DROP TABLE IF EXISTS bench_archetype")
            cursor.execute(
                "CREATE UNLOGGED TABLE bench_archetype (k int primary key, industry_id bigint, inputs jsonb, "
                "total numeric(5,2), tier varchar(1), fp varchar(32), bureau int, overdue int, litigation int, "
                "tax varchar(1), fiscal_year int, until date)"
            )
            with cursor.copy("COPY bench_archetype FROM STDIN") as copy:
                for k, industry_id, inputs, total, tier, digest, until in archetypes:
                    copy.write_row((k, industry_id, json.dumps(inputs), total, tier, digest, inputs["bureau_score"],
                                    inputs["overdue_count_24m"], inputs["litigation_count"], inputs["tax_rating"],
                                    inputs["fiscal_year"], until))
            step = time.perf_counter()
            cursor.execute(
                "INSERT INTO onboarding_customer (id, name, credit_code, customer_type, status, tier, credit_limit, "
                "payment_terms_days, admitted_at, next_review_date, sales_owner_id, industry_id) "
                "SELECT g, 'Bench customer ' || g, 'BM' || lpad(g::text, 16, '0'), 'sme', 'active', a.tier, 1000000, 60, "
                "now() - interval '300 days', %s::date + (g %% 300), %s, a.industry_id "
                "FROM generate_series(1, %s) g JOIN bench_archetype a ON a.k = g %% %s",
                [today, owner.pk, n, ARCHETYPES],
            )
            cursor.execute("SELECT setval(pg_get_serial_sequence('onboarding_customer', 'id'), %s)", [n])
            self.stdout.write(f"  customers: {time.perf_counter() - step:,.1f} s")
            step = time.perf_counter()
            cursor.execute(
                "INSERT INTO monitoring_admissioninputs (customer_id, inputs, taken_at) "
                "SELECT c.id, a.inputs, now() - interval '300 days' FROM onboarding_customer c "
                "JOIN bench_archetype a ON a.k = c.id %% %s", [ARCHETYPES],
            )
            # The baseline snapshots: the archetype's inputs and a small result (the run never reads them).
            cursor.execute(
                "INSERT INTO screening_evaluation (id, customer_id, version_id, inputs, result, total, tier, knockouts, "
                "passed, created_at) SELECT c.id, c.id, %s, a.inputs, jsonb_build_object('total', a.total, 'tier', a.tier), "
                "a.total, a.tier, '[]'::jsonb, a.total >= 60, now() - interval '30 days' "
                "FROM onboarding_customer c JOIN bench_archetype a ON a.k = c.id %% %s",
                [compiled.version_id, ARCHETYPES],
            )
            cursor.execute("SELECT setval(pg_get_serial_sequence('screening_evaluation', 'id'), %s)", [n])
            self.stdout.write(f"  admission inputs and baseline evaluations: {time.perf_counter() - step:,.1f} s")
            step = time.perf_counter()
            cursor.execute(
                "INSERT INTO monitoring_customercreditprofile (customer_id, bureau_score, overdue_count, litigation_count, "
                "tax_rating, as_of, statements_date, due_on, data_version, updated_at, last_evaluation_id, "
                "last_evaluated_at, last_total, last_tier, last_bureau_score, last_overdue_count, "
                "last_litigation_count, last_fingerprint, last_knockouts, unchanged_until) "
                "SELECT c.id, a.bureau, a.overdue, a.litigation, a.tax, %s, make_date(a.fiscal_year, 12, 31), %s, 1, "
                "now(), c.id, now() - interval '30 days', a.total, a.tier, a.bureau, a.overdue, "
                "a.litigation, a.fp, '', a.until "
                "FROM onboarding_customer c JOIN bench_archetype a ON a.k = c.id %% %s",
                [then, today, ARCHETYPES],
            )
            # New bureau data for a share of them, as an import would write it.
            cursor.execute(
                "UPDATE monitoring_customercreditprofile SET bureau_score = GREATEST(bureau_score - 60 + "
                "(customer_id * 7919 %% 120)::int, 300), overdue_count = overdue_count + (customer_id %% 3 = 0)::int, "
                "as_of = %s, data_version = data_version + 1 WHERE (customer_id * 2654435761 %% 10000) < %s",
                [today, int(changed * 100)],
            )
            self.stdout.write(f"  profiles: {time.perf_counter() - step:,.1f} s")
            step = time.perf_counter()
            cursor.execute("DROP TABLE bench_archetype")
            for table in ("onboarding_customer", "monitoring_customercreditprofile", "monitoring_admissioninputs",
                          "screening_evaluation"):
                cursor.execute(f"VACUUM ANALYZE {table}")
            self.stdout.write(f"  vacuum: {time.perf_counter() - step:,.1f} s")

    def due_again(self, changed: float) -> None:
        """Everyone due today again, and new bureau data for ``changed`` percent (a different share)."""
        with connection.cursor() as cursor:
            cursor.execute("UPDATE monitoring_customercreditprofile SET due_on = %s", [timezone.localdate()])
            cursor.execute(
                "UPDATE monitoring_customercreditprofile SET bureau_score = GREATEST(bureau_score - 25 + "
                "(customer_id * 104729 %% 50)::int, 300), data_version = data_version + 1 "
                "WHERE ((customer_id + %s) * 2654435761 %% 10000) < %s",
                [random.randint(1, 10**6), int(changed * 100)],
            )
            cursor.execute("VACUUM ANALYZE monitoring_customercreditprofile")

    # --- 2. The run and the floor -----------------------------------------------------------------

    def reevaluate(self, n: int, workers: int) -> None:
        out = self.stdout.write
        with connection.cursor() as cursor:
            cursor.execute("SELECT max(id) FROM screening_evaluation")
            evaluations_before = cursor.fetchone()[0] or 0
        started = time.perf_counter()
        run = runs.plan_run(scope=Scope.DUE, trigger=Trigger.COMMAND)
        planned = time.perf_counter() - started
        if run is None:
            raise CommandError("Nothing is due: run without --skip-setup.")
        connections.close_all()
        context = multiprocessing.get_context("fork")
        processes = [context.Process(target=_work, args=(run.pk,)) for _n in range(workers)]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        elapsed = time.perf_counter() - started
        run = JobRun.objects.get(pk=run.pk)
        if run.finished_at is None:
            runs.finish_if_done(run.pk)
            run.refresh_from_db()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM screening_evaluation WHERE id > %s", [evaluations_before])
            snapshots = cursor.fetchone()[0]
            floor_started = time.perf_counter()
            cursor.execute("UPDATE monitoring_customercreditprofile SET last_evaluated_at = now()")
            floor_rows = cursor.rowcount
            floor = time.perf_counter() - floor_started
        out("")
        out(f"re-evaluation run #{run.pk} ({run.status}): {run.evaluated:,} of {n:,} customers "
            f"in {run.chunks:,} chunks, {run.errors} errors")
        out(f"  total time        {elapsed:,.1f} s (planning {planned:,.1f} s; load average now {os.getloadavg()[0]:.1f})")
        out(f"  customers/second  {run.evaluated / elapsed:,.0f}")
        reused = RunChunk.objects.filter(run=run).aggregate(n=Sum("reused"))["n"] or 0
        out(f"  scored            {run.evaluated - reused:,} with evaluate(); {reused:,} reused their last result "
            f"(same data and model, no years-in-business bound reached)")
        out(f"  new snapshots     {snapshots:,} (the others repeated their last snapshot)")
        out(f"  alerts raised     {run.alerts_raised:,}")
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        out(f"  worker CPU time   {usage.ru_utime + usage.ru_stime:,.1f} s in all (Python; PostgreSQL's own CPU comes "
            f"on top), {(usage.ru_utime + usage.ru_stime) / max(run.evaluated, 1) * 1e6:,.0f} µs per customer")
        out(f"  peak memory       {_peak_mb(resource.RUSAGE_CHILDREN):,.0f} MB per worker process, "
            f"{_peak_mb(resource.RUSAGE_SELF):,.0f} MB this process")
        out(f"  floor             {floor:,.1f} s for one UPDATE of {floor_rows:,} profile rows "
            f"→ the run took {elapsed / floor:,.1f}× the floor")

    # --- 3. Pages with a million alerts ---------------------------------------------------------

    def pages(self, target: int, requests: int) -> None:
        out = self.stdout.write
        managers = []
        for k in range(5):
            user, _created = User.objects.get_or_create(username=f"bench-risk{k}", defaults={"first_name": f"Risk {k}"})
            user.groups.add(Group.objects.get(name=Role.RISK_MANAGER))
            managers.append(user.pk)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), max(id) FROM onboarding_customer")
            customers, top = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM monitoring_alert")
            missing = target - cursor.fetchone()[0]
            indicators = Indicator.values
            # Mostly closed, as in a system that has run for a while; open and acknowledged ones
            # are unique per customer and indicator (the constraint), so conflicts are skipped.
            offset = 0
            while missing > 0:
                cursor.execute(
                    "INSERT INTO monitoring_alert (customer_id, indicator, severity, status, opened_at, last_seen_at, "
                    "evidence, assignee_id, acknowledged_at, closed_at, note) "
                    "SELECT 1 + (g::bigint * 7919) %% %(top)s, (%(indicators)s::text[])[1 + (g / %(top)s + g) %% %(ni)s], "
                    "(ARRAY['low','medium','medium','high','high','critical'])[1 + g %% 6], "
                    "s.status, now() - (g %% (84 * 24)) * interval '1 hour', now(), "
                    "'[{\"facts\": {\"previous\": 700, \"current\": 640}}]'::jsonb, "
                    "CASE WHEN s.status = 'open' THEN NULL ELSE (%(managers)s::bigint[])[1 + g %% 5] END, "
                    "CASE WHEN s.status = 'open' THEN NULL ELSE now() END, "
                    "CASE WHEN s.status IN ('resolved', 'escalated') THEN now() END, '' "
                    "FROM generate_series(%(start)s, %(stop)s) g, LATERAL (SELECT CASE WHEN g %% 20 < 14 THEN 'resolved' "
                    "WHEN g %% 20 < 16 THEN 'escalated' WHEN g %% 20 < 18 THEN 'acknowledged' ELSE 'open' END "
                    "AS status) s ON CONFLICT (customer_id, indicator) WHERE status IN ('open', 'acknowledged') DO NOTHING",
                    {"top": top, "indicators": indicators, "ni": len(indicators), "managers": managers,
                     "start": offset + 1, "stop": offset + missing},
                )
                offset += missing
                missing -= cursor.rowcount
            cursor.execute(
                "INSERT INTO monitoring_alertweek (week, opened, resolved, escalated) "
                "SELECT date_trunc('week', opened_at)::date, count(*), count(*) FILTER (WHERE status = 'resolved'), "
                "count(*) FILTER (WHERE status = 'escalated') FROM monitoring_alert GROUP BY 1 "
                "ON CONFLICT (week) DO UPDATE SET opened = EXCLUDED.opened, resolved = EXCLUDED.resolved, "
                "escalated = EXCLUDED.escalated"
            )
            cursor.execute("VACUUM ANALYZE monitoring_alert")
        alert_tallies_recount()
        refresh_started = time.perf_counter()
        statistics_refresh()
        refresh = time.perf_counter() - refresh_started
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM monitoring_alert")
            total = cursor.fetchone()[0]
        out("")
        out(f"pages with {total:,} alerts and {customers:,} customers, load average {os.getloadavg()[0]:.1f} (alerts set up in "
            f"{time.perf_counter() - started:,.1f} s; dashboard figures refreshed by the jobs in {refresh:,.1f} s)")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(pk=managers[0]))
        alert_list = reverse("monitoring:alert_list")
        from monitoring.selectors import alert_page, alerts_filtered

        first_page = alert_page(alerts_filtered())
        pages = [
            ("dashboard", reverse("monitoring:dashboard")),
            ("alert list", alert_list),
            ("alert list, open or acknowledged", alert_list + "?status=active"),
            ("alert list, critical and open", alert_list + "?severity=critical&status=open"),
            ("alert list, by assignee", alert_list + f"?assignee={managers[1]}&status=acknowledged"),
            ("alert list, tier D, stale financials", alert_list + "?tier=D&indicator=stale_financials"),
            ("alert list, second page", alert_list + f"?after={first_page.older}"),
        ]
        debug = settings.DEBUG
        settings.DEBUG = False
        try:
            for label, url in pages:
                timings, counts = [], set()
                for _n in range(requests):
                    with CaptureQueriesContext(connection) as captured:
                        began = time.perf_counter()
                        response = client.get(url)
                        timings.append(time.perf_counter() - began)
                    assert response.status_code == 200, (url, response.status_code)
                    counts.add(len(captured))
                timings.sort()
                p95 = timings[max(int(round(0.95 * len(timings))) - 1, 0)]
                out(f"  {label:40} p50 {_ms(statistics.median(timings)):>10}  p95 {_ms(p95):>10}  "
                    f"queries {', '.join(str(c) for c in sorted(counts))}")
        finally:
            settings.DEBUG = debug
