"""Demo data for analysis: an earlier book of customers whose outcome is known, for the validation page.

``seed_demo`` calls this after the other apps (``analysis`` is last in INSTALLED_APPS). It adds
160 customers admitted 13 to 24 months ago (now offboarded, so monitoring leaves them alone),
each with the admission inputs the committee saw and monthly receivables imported through
``outcomes``: customers with lower scores more often stopped paying within their first year
(90+ days past due), two of those were written off. Deterministic (a seeded generator) and
idempotent: customers are keyed on credit code, invoices on their number.
"""

from __future__ import annotations

import datetime
import math
import random
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from django.utils import timezone

from monitoring.models import AdmissionInputs
from onboarding.demo import demo_credit_code, demo_user
from onboarding.enums import CustomerStatus, CustomerType
from onboarding.models import Customer, Industry
from outcomes.models import WriteOff
from outcomes.receivables import HEADER, receivables_import
from outcomes.selectors import add_months
from outcomes.services import outcome_write_off
from screening.scoring import evaluate
from screening.selectors import published_compiled

BOOK = 160
INDUSTRIES = ("MFG-EQP", "TRADE", "FOOD", "MFG-TEXT", "MFG-CHEM")


def _inputs(rng: random.Random, admitted: datetime.date, industry: Industry) -> dict:
    revenue = rng.uniform(40e6, 400e6)
    assets = revenue * rng.uniform(0.9, 1.5)
    debt_ratio = rng.uniform(0.3, 0.85)
    liabilities = assets * debt_ratio
    return {
        "fiscal_year": admitted.year - 1, "revenue": round(revenue, 2),
        "net_profit": round(revenue * rng.uniform(-0.03, 0.12), 2), "total_assets": round(assets, 2),
        "total_liabilities": round(liabilities, 2), "current_assets": round(assets * 0.5, 2),
        "current_liabilities": round(liabilities * rng.uniform(0.4, 0.8), 2),
        "operating_cash_flow": round(revenue * rng.uniform(-0.02, 0.12), 2),
        "registration_date": f"{rng.randint(1998, 2020)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "as_of": admitted.isoformat(), "registered_capital": float(rng.choice([5e6, 1e7, 3e7, 5e7])),
        "capital_currency": "CNY", "industry_risk_class": industry.risk_class,
        "top_customer_share": round(rng.uniform(10, 70), 1),
        "market_position": rng.choice(["leader", "strong", "average", "weak"]),
        "bureau_score": rng.randint(540, 800), "overdue_count_24m": rng.choice([0, 0, 0, 1, 2, 3]),
        "litigation_count": rng.choice([0, 0, 1, 2, 4]), "tax_rating": rng.choice(["A", "A", "B", "M", "C"]),
        "watchlist_true_match": False,
    }


def _invoices(rng: random.Random, customer: Customer, admitted: datetime.date, stops: int | None,
              today: datetime.date) -> list[str]:
    lines = []
    month = 1
    invoice_date = add_months(admitted.replace(day=5), 1)
    limit = customer.credit_limit
    while invoice_date <= today and (stops is None or month <= stops + 3):
        amount = (limit * Decimal(str(rng.uniform(0.2, 0.4)))).quantize(Decimal("1"))
        due = invoice_date + datetime.timedelta(days=60)
        paid_on: datetime.date | None = due + datetime.timedelta(days=rng.choice([-3, 0, 0, 2, 8]))
        if stops is not None and month >= stops:
            paid_on = None
        if paid_on is not None and paid_on > today:
            paid_on = None
        lines.append(",".join([
            customer.credit_code, f"HIST-{customer.credit_code[-8:]}-{month:02d}", invoice_date.isoformat(),
            due.isoformat(), str(amount), "CNY", paid_on.isoformat() if paid_on else "",
            str(amount) if paid_on else "",
        ]))
        invoice_date = add_months(invoice_date, 1)
        month += 1
    return lines


def seed_analysis(stdout: TextIO) -> None:
    compiled = published_compiled()
    if compiled is None:
        stdout.write("  analysis: no published scorecard, no earlier book seeded\n")
        return
    rng = random.Random(20260101)
    today = timezone.localdate()
    owner, risk = demo_user("sales1"), demo_user("risk1")
    industries = {i.code: i for i in Industry.objects.filter(code__in=INDUSTRIES)}
    lines: list[str] = []
    bad_customers: list[Customer] = []
    created = 0
    for n in range(BOOK):
        admitted = today - datetime.timedelta(days=rng.randint(400, 720))
        industry = industries[INDUSTRIES[n % len(INDUSTRIES)]]
        inputs = _inputs(rng, admitted, industry)
        score = evaluate(compiled, inputs).total
        went_bad = rng.random() < 1 / (1 + math.exp((score - 63) / 6))
        stops = rng.randint(1, 8) if went_bad else None
        code = demo_credit_code("330100", f"8{n:07d}")
        customer = Customer.objects.filter(credit_code=code).first()
        if customer is None:
            customer = Customer.objects.create(
                name=f"历史客户{n + 1:03d}（已结清）有限公司", credit_code=code, customer_type=CustomerType.SME,
                industry=industry, status=CustomerStatus.OFFBOARDED, tier=evaluate(compiled, inputs).tier,
                credit_limit=Decimal("1000000"), payment_terms_days=60, sales_owner=owner,
                admitted_at=datetime.datetime.combine(admitted, datetime.time(10), tzinfo=timezone.get_current_timezone()),
            )
            AdmissionInputs.objects.create(customer=customer, inputs=inputs, taken_at=customer.admitted_at)
            created += 1
        lines.extend(_invoices(rng, customer, admitted, stops, today))
        if went_bad:
            bad_customers.append(customer)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo-earlier-book.csv"
        path.write_text(",".join(HEADER) + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
        result = receivables_import(path, today=today)
    for customer in bad_customers[:2]:
        if not WriteOff.objects.filter(customer=customer).exists():
            outcome_write_off(customer_id=customer.pk, actor=risk, written_off_on=today - datetime.timedelta(days=30),
                              reason="破产清算，债权申报后预计无法收回。")
    stdout.write(f"  earlier book: {created} customers added, {result.rows} invoices, "
                 f"{len(bad_customers)} went 90+ within a year\n")
    _seed_cases(stdout, risk)


AUDIENCE = ["sales", "approver_finance", "approver_legal", "approver_business", "risk_manager"]
CASES = (
    ("failure", "佛山南方建材：集中度与现金流预警被忽视", "佛山南方建材贸易有限公司",
     "准入时评分处于 C 级边缘，前五大客户占比高、经营现金流偏弱。准入后半年起付款逐月拖延，"
     "**六个月前完全停止付款**，现已逾期 90 天以上且敞口超过授信额度。",
     "客户集中度指标与经营现金流/流动负债指标；复评时的征信评分下降",
     "- 对 C 级客户设置更低的初始额度\n- 征信评分下降 100 分以上时立即复评", "集中度,现金流,建材"),
    ("success", "成都天府医药物流：稳健客户的准入", "成都天府医药物流有限公司",
     "财务稳健、征信良好，委员会一致通过。准入以来每张发票均按期或提前付款。",
     "", "- A 级客户可按标准流程快速准入", "医药,按期付款"),
)


def _seed_cases(stdout: TextIO, risk) -> None:
    from analysis.cases import case_create
    from analysis.models import Case

    made = 0
    for kind, title, name, analysis, caught_by, lessons, tags in CASES:
        customer = Customer.objects.filter(name=name).first()
        if customer is None or Case.objects.filter(title=title).exists():
            continue
        case_create(actor=risk, customer=customer, kind=kind, title=title, analysis=analysis, caught_by=caught_by,
                    lessons=lessons, tags=tags, published_to=AUDIENCE)
        made += 1
    stdout.write(f"  case library: {made} cases written\n")
