"""Demo data for monitoring: a portfolio of admitted customers, some of them deteriorating.

Called by ``manage.py seed_demo`` after the other apps' seeds; safe to run again (customers
are keyed on credit code, the bureau file changes nothing the second time).

The portfolio stands for customers taken over when Vetted went live: each gets a baseline
evaluation eleven months old, as an approval would have left. Then a credit-bureau file is
imported through the real import service, and the real re-evaluation runs: the dashboard
shows alerts at once. Two customers' new data is left for the scheduler, so the first tick
(within five minutes of ``make run``) raises more. Customers admitted through the committee
by the other demos get their baseline too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from monitoring.credit_import import from_text
from monitoring.enums import Scope, Trigger
from monitoring.models import AdmissionInputs, CustomerCreditProfile
from monitoring.runs import overdue_check, plan_run, work
from monitoring.services import profiles_ensure
from monitoring.snapshot import fingerprint
from onboarding.demo import demo_credit_code, demo_user
from onboarding.enums import CustomerType
from onboarding.models import Customer, Industry
from screening.scoring import evaluate
from screening.selectors import published_compiled
from screening.services import evaluation_build


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    region: str
    organisation: str
    owner: str
    tier: str
    industry: str
    revenue: float
    debt_ratio: float  # percent
    bureau: int
    overdue: int
    litigation: int
    tax: str = "A"
    fiscal_year_ago: int = 1
    review_in_days: int = 200
    # What the bureau file says now; None: the customer is not in the file.
    new_bureau: int | None = None
    new_overdue: int | None = None
    new_litigation: int | None = None
    new_tax: str | None = None
    for_the_tick: bool = False  # left due for the scheduler instead of the seed's own run

    @property
    def credit_code(self) -> str:
        return demo_credit_code(self.region, self.organisation)


PORTFOLIO = (
    DemoCustomer("苏州华信精密五金有限公司", "320500", "71420583", "sales1", "A", "MFG-EQP", 310e6, 42, 768, 0, 0,
                 new_bureau=652, new_overdue=0, new_litigation=0),
    DemoCustomer("绍兴东方纺织印染有限公司", "330600", "70831562", "sales1", "B", "MFG-TEXT", 145e6, 58, 705, 0, 1,
                 new_bureau=698, new_overdue=3, new_litigation=3),
    DemoCustomer("佛山南方建材贸易有限公司", "440600", "72659104", "sales2", "C", "TRADE", 88e6, 71, 612, 1, 2,
                 tax="B", new_bureau=478, new_overdue=2, new_litigation=2),
    DemoCustomer("成都天府医药物流有限公司", "510100", "73518260", "sales2", "A", "PHARMA", 520e6, 38, 782, 0, 0,
                 new_bureau=779, new_overdue=0, new_litigation=0),
    DemoCustomer("武汉长江电子元件有限公司", "420100", "70294817", "sales1", "B", "MFG-ELEC", 96e6, 52, 731, 0, 1,
                 fiscal_year_ago=3),
    DemoCustomer("郑州中原粮油食品有限公司", "410100", "71863025", "sales2", "B", "FOOD", 175e6, 55, 719, 0, 0,
                 review_in_days=-12),
    DemoCustomer("天津渤海化工原料有限公司", "120100", "72046198", "sales1", "C", "MFG-CHEM", 64e6, 67, 655, 1, 1,
                 tax="B", new_bureau=590, new_overdue=2, new_litigation=1, for_the_tick=True),
    DemoCustomer("西安秦川机电设备有限公司", "610100", "70538412", "sales2", "A", "MFG-EQP", 230e6, 45, 751, 0, 0,
                 new_bureau=744, new_overdue=0, new_litigation=4, for_the_tick=True),
)


def _inputs(company: DemoCustomer, industry: Industry, as_of: datetime.date) -> dict:
    assets = company.revenue * 1.2
    liabilities = assets * company.debt_ratio / 100
    return {
        "fiscal_year": as_of.year - company.fiscal_year_ago,
        "revenue": company.revenue, "net_profit": round(company.revenue * 0.06, 2),
        "total_assets": assets, "total_liabilities": round(liabilities, 2),
        "current_assets": round(assets * 0.5, 2), "current_liabilities": round(liabilities * 0.6, 2),
        "operating_cash_flow": round(company.revenue * 0.08, 2), "registration_date": "2009-04-16",
        "as_of": as_of.isoformat(), "registered_capital": 30000000.0, "capital_currency": "CNY",
        "industry_risk_class": industry.risk_class, "top_customer_share": 38.0, "market_position": "strong",
        "bureau_score": company.bureau, "overdue_count_24m": company.overdue, "litigation_count": company.litigation,
        "tax_rating": company.tax, "watchlist_true_match": False,
    }


def _admit(company: DemoCustomer, compiled, admitted: datetime.datetime) -> Customer | None:
    code = company.credit_code
    if Customer.objects.filter(credit_code=code).exists():
        return None
    industry = Industry.objects.get(code=company.industry)
    today = timezone.localdate()
    with transaction.atomic():
        customer = Customer.objects.create(
            name=company.name, credit_code=code, customer_type=CustomerType.SME, industry=industry,
            tier=company.tier, credit_limit=Decimal("2000000"), payment_terms_days=60,
            sales_owner=demo_user(company.owner), admitted_at=admitted,
            next_review_date=today + datetime.timedelta(days=company.review_in_days),
        )
        inputs = _inputs(company, industry, timezone.localdate(admitted))
        result = evaluate(compiled, inputs)
        evaluation = evaluation_build(compiled=compiled, inputs=inputs, result=result, customer=customer)
        evaluation.created_at = admitted
        evaluation.save()
        AdmissionInputs.objects.create(customer=customer, inputs=inputs, evaluation=evaluation, taken_at=admitted)
        CustomerCreditProfile.objects.create(
            customer=customer, bureau_score=company.bureau, overdue_count=company.overdue,
            litigation_count=company.litigation, tax_rating=company.tax, as_of=timezone.localdate(admitted),
            statements_date=datetime.date(inputs["fiscal_year"], 12, 31),
            # Due a month from now: only new data or the stale statements make them due today.
            due_on=today + datetime.timedelta(days=30), data_version=1,
            last_evaluation=evaluation, last_evaluated_at=admitted, last_total=evaluation.total,
            last_tier=evaluation.tier, last_bureau_score=company.bureau, last_overdue_count=company.overdue,
            last_litigation_count=company.litigation,
            last_fingerprint=fingerprint(compiled.version_id, 1, industry.risk_class, False),
        )
    return customer


def _bureau_file(companies, as_of: datetime.date) -> str:
    lines = ["credit_code,as_of,bureau_score,overdue_count,litigation_count,tax_rating"]
    for c in companies:
        lines.append(f"{c.credit_code},{as_of.isoformat()},{c.new_bureau},{c.new_overdue},{c.new_litigation},"
                     f"{c.new_tax or c.tax}")
    return "\n".join(lines) + "\n"


def seed_monitoring(stdout: TextIO) -> None:
    compiled = published_compiled()
    if compiled is None:
        stdout.write("  monitoring: no published scorecard, nothing seeded\n")
        return
    admitted = timezone.now() - datetime.timedelta(days=330)
    created = [c for c in PORTFOLIO if _admit(c, compiled, admitted) is not None]
    for company in created:
        stdout.write(f"  customer {company.name} ({company.tier}) admitted for monitoring\n")
    # Customers admitted by the committee demos: their baseline (the approval's task may not have run yet).
    profiles_ensure(Customer.objects.filter(credit_profile__isnull=True).values_list("pk", flat=True))
    if not created:
        return
    as_of = timezone.localdate() - datetime.timedelta(days=3)
    # Stale statements make this one due today as well.
    stale = [c.credit_code for c in created if c.fiscal_year_ago > 2]
    CustomerCreditProfile.objects.filter(customer__credit_code__in=stale).update(due_on=timezone.localdate())
    now_batch = [c for c in created if c.new_bureau is not None and not c.for_the_tick]
    tick_batch = [c for c in created if c.new_bureau is not None and c.for_the_tick]
    result = from_text(_bureau_file(now_batch, as_of), file_name="demo-bureau-now.csv")
    stdout.write(f"  bureau file: {result.changed} customers with new data\n")
    run = plan_run(scope=Scope.DUE, trigger=Trigger.COMMAND)
    if run is not None:
        work(run_id=run.pk, budget=600)
        run.refresh_from_db()
        stdout.write(f"  re-evaluation #{run.pk}: {run.evaluated} evaluated, {run.alerts_raised} alerts\n")
    check = overdue_check(trigger=Trigger.COMMAND)
    if check is not None:
        stdout.write(f"  overdue check: {check.alerts_raised} alerts\n")
    # Left for the scheduler: the first tick after `make run` starts evaluates these two.
    result = from_text(_bureau_file(tick_batch, as_of), file_name="demo-bureau-later.csv")
    stdout.write(f"  bureau file: {result.changed} more customers due for the first scheduler tick\n")
