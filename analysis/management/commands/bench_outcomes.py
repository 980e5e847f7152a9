"""BENCHMARK ONLY — writes a lot of synthetic data. Run it on a database of its own (see docs/performance.md).

    DATABASE_URL=postgres://…/vetted_bench_outcomes python manage.py bench_outcomes --customers 1000000

1. Creates N admitted customers (admitted 13–36 months ago) with admission inputs drawn from a
   thousand archetypes, and a receivables CSV with 24 monthly invoices each (one in ten
   customers stops paying at some point), then imports it with ``outcomes.receivables`` — the
   command's own path: one transaction, upsert, outcomes recomputed — and prints rows per second.
2. Validates the published scorecard version over all of them (``analysis.validation.validate``)
   and prints the time and customers per second.
3. Adds ``--applications`` applications with a state history (bulk rows: submitted, documents
   passed, background check passed, decided, some returned or rejected) and loads the funnel
   page through the whole Django stack ``--repeat`` times, printing p50/p95 and query counts.

Refuses to run on a database that already has customers or applications.
"""

from __future__ import annotations

import datetime
import random
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from analysis.funnel import stays_refresh
from analysis.validation import validate
from monitoring.models import AdmissionInputs
from onboarding.models import Application, Customer, Industry, StateChange
from onboarding.validators import credit_code_check_char
from outcomes.receivables import HEADER, receivables_import
from outcomes.selectors import add_months
from outcomes.services import outcomes_recompute
from screening.selectors import published_version

ARCHETYPES = 1000
BATCH = 10000


def _code(n: int) -> str:
    body = f"9144{n:013d}"[:17]
    return body + credit_code_check_char(body)


def _archetype(rng: random.Random, risk_class: int) -> dict:
    revenue = rng.uniform(40e6, 400e6)
    assets = revenue * rng.uniform(0.9, 1.5)
    liabilities = assets * rng.uniform(0.3, 0.85)
    return {
        "fiscal_year": 2025, "revenue": revenue, "net_profit": revenue * rng.uniform(-0.03, 0.12),
        "total_assets": assets, "total_liabilities": liabilities, "current_assets": assets * 0.5,
        "current_liabilities": liabilities * rng.uniform(0.4, 0.8), "operating_cash_flow": revenue * rng.uniform(-0.02, 0.12),
        "registration_date": f"{rng.randint(1998, 2020)}-05-17", "as_of": "2025-06-30",
        "registered_capital": rng.choice([5e6, 1e7, 3e7, 5e7]), "capital_currency": "CNY",
        "industry_risk_class": risk_class, "top_customer_share": rng.uniform(10, 70),
        "market_position": rng.choice(["leader", "strong", "average", "weak"]), "bureau_score": rng.randint(540, 800),
        "overdue_count_24m": rng.choice([0, 0, 1, 2]), "litigation_count": rng.choice([0, 1, 2]),
        "tax_rating": rng.choice(["A", "B", "M"]), "watchlist_true_match": False,
    }


class Command(BaseCommand):
    help = "BENCHMARK ONLY: synthetic customers, receivables, validation and funnel timings (own database!)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--customers", type=int, default=10000)
        parser.add_argument("--applications", type=int, default=100000)
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args, customers: int, applications: int, repeat: int, **options) -> None:
        if Customer.objects.exists() or Application.objects.exists():
            raise CommandError("The database has customers or applications: run the benchmark on a database of its own.")
        if published_version() is None:
            raise CommandError("No published scorecard (run migrations).")
        rng = random.Random(5)
        today = timezone.localdate()
        owner = User.objects.create(username="bench-sales")
        risk = User.objects.create(username="bench-risk")
        from django.contrib.auth.models import Group

        owner.groups.add(Group.objects.get_or_create(name=Role.SALES)[0])
        risk.groups.add(Group.objects.get_or_create(name=Role.RISK_MANAGER)[0])
        industry = Industry.objects.order_by("pk").first()
        archetypes = [_archetype(rng, industry.risk_class) for _n in range(ARCHETYPES)]
        self.stdout.write(f"Creating {customers:,} customers…")
        started = time.perf_counter()
        zone = timezone.get_current_timezone()
        for start in range(0, customers, BATCH):
            made = Customer.objects.bulk_create([
                Customer(name=f"基准客户{n}", credit_code=_code(n), customer_type="sme", industry=industry, tier="B",
                         credit_limit=Decimal("1000000"), payment_terms_days=60, sales_owner=owner,
                         admitted_at=datetime.datetime.combine(today - datetime.timedelta(days=400 + n % 700),
                                                               datetime.time(10), tzinfo=zone))
                for n in range(start, min(start + BATCH, customers))
            ])
            AdmissionInputs.objects.bulk_create([
                AdmissionInputs(customer=c, inputs=archetypes[c.pk % ARCHETYPES]) for c in made
            ])
        self.stdout.write(f"  {time.perf_counter() - started:,.1f} s")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench-receivables.csv"
            rows = 0
            with path.open("w", encoding="utf-8") as out:
                out.write(",".join(HEADER) + "\n")
                for pk, code, admitted_at in Customer.objects.order_by("pk").values_list("pk", "credit_code",
                                                                                          "admitted_at").iterator():
                    stops = rng.randint(2, 20) if rng.random() < 0.1 else None
                    first = add_months(timezone.localdate(admitted_at).replace(day=5), 1)
                    for month in range(24):
                        invoiced = add_months(first, month)
                        if invoiced > today:
                            break
                        due = invoiced + datetime.timedelta(days=60)
                        paid = None if (stops is not None and month >= stops) else due + datetime.timedelta(
                            days=rng.choice([-2, 0, 0, 3, 10]))
                        if paid is not None and paid > today:
                            paid = None
                        amount = 100000 + (pk * 7 + month * 13) % 200000
                        out.write(f"{code},B{pk}-{month:02d},{invoiced},{due},{amount},CNY,"
                                  f"{paid or ''},{amount if paid else ''}\n")
                        rows += 1
            self.stdout.write(f"Importing {rows:,} invoices…")
            started = time.perf_counter()
            result = receivables_import(path, today=today)
            elapsed = time.perf_counter() - started
        self.stdout.write(f"  import (check, upsert, recompute outcomes, one transaction): {elapsed:,.1f} s, "
                          f"{result.rows / elapsed:,.0f} rows/s ({result.customers:,} customers)")
        started = time.perf_counter()
        outcomes_recompute()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"  recompute alone: {elapsed:,.1f} s, {customers / elapsed:,.0f} customers/s")
        started = time.perf_counter()
        report = validate(published_version(), today=today)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Validation of version {report.version.number}: {elapsed:,.1f} s, "
                          f"{(report.goods + report.bads) / max(elapsed, 1e-9):,.0f} customers/s "
                          f"({report.goods:,} goods, {report.bads:,} bads, AUC {report.auc}, KS {report.ks})")
        self._funnel(applications, repeat, owner, risk, rng, today)

    def _funnel(self, count: int, repeat: int, owner, risk, rng, today) -> None:
        self.stdout.write(f"Creating {count:,} applications with their history…")
        started = time.perf_counter()
        paths = [
            ["document_review", "background_check", "committee_review", "approved"],
            ["document_review", "returned", "document_review", "background_check", "committee_review", "approved"],
            ["document_review", "rejected"],
            ["document_review", "background_check", "rejected"],
            ["document_review", "background_check"],
        ]
        zone = timezone.get_current_timezone()
        for start in range(0, count, BATCH):
            made = Application.objects.bulk_create([
                Application(created_by=owner, legal_name_zh=f"基准申请{n}", customer_type="sme")
                for n in range(start, min(start + BATCH, count))
            ])
            changes = []
            for application in made:
                moment = datetime.datetime.combine(today - datetime.timedelta(days=rng.randint(1, 360)),
                                                   datetime.time(9), tzinfo=zone)
                previous = "draft"
                for state in rng.choice(paths):
                    changes.append(StateChange(application=application, transition="bench", from_state=previous,
                                               to_state=state, created_at=moment))
                    previous = state
                    moment += datetime.timedelta(hours=rng.randint(4, 200))
            StateChange.objects.bulk_create(changes, batch_size=5000)
        self.stdout.write(f"  {time.perf_counter() - started:,.1f} s")
        started = time.perf_counter()
        rebuilt = stays_refresh()  # bulk rows bypass nothing here: the summary catches up by state-change id
        self.stdout.write(f"  funnel summary built for {rebuilt:,} applications: {time.perf_counter() - started:,.1f} s")
        client = Client()
        client.force_login(risk)
        url = reverse("analysis:funnel")
        timings, queries = [], 0
        for _n in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url, HTTP_HOST="127.0.0.1")
                timings.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
            assert response.status_code == 200
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
        self.stdout.write(f"Funnel page over {count:,} applications: p50 {statistics.median(timings):,.0f} ms, "
                          f"p95 {p95:,.0f} ms, {queries} queries")
