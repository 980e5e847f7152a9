"""Scorecard validation on customers with known outcomes: figures from the real scoring, the "too few" message."""

import datetime
import itertools
import math
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from analysis.validation import validate
from monitoring.models import AdmissionInputs
from onboarding.models import Customer
from outcomes.models import CustomerOutcome
from screening.scoring import compiled_version, evaluate
from screening.selectors import published_version
from tests.factories import credit_code, user_with
from tests.monitoring.factories import BASE_INPUTS

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
_numbers = itertools.count(9000)


def customer_with_outcome(*, bureau: int, bad: bool, admitted_days_ago: int = 500, owner=None) -> Customer:
    n = next(_numbers)
    customer = Customer.objects.create(
        name=f"验证客户{n}", credit_code=credit_code(n), customer_type="sme", tier="B", sales_owner=owner,
        credit_limit=Decimal("100000"), admitted_at=timezone.now() - datetime.timedelta(days=admitted_days_ago),
    )
    AdmissionInputs.objects.create(customer=customer, inputs={**BASE_INPUTS, "bureau_score": bureau})
    admitted = timezone.localdate(customer.admitted_at)
    CustomerOutcome.objects.create(
        customer=customer, as_of=TODAY, status="dpd90" if bad else "performing",
        first_dpd90_on=admitted + datetime.timedelta(days=200) if bad else None,
    )
    return customer


@pytest.fixture
def owner(db):
    return user_with(username="owner")


def _pairwise_auc(goods, bads):
    wins = sum(1.0 if g > b else 0.5 if g == b else 0.0 for g, b in itertools.product(goods, bads))
    return wins / (len(goods) * len(bads))


def test_figures_on_enough_outcomes_match_an_independent_computation(owner):
    plan = [(780, False)] * 20 + [(650, False)] * 12 + [(650, True)] * 10 + [(560, True)] * 22
    for bureau, bad in plan:
        customer_with_outcome(bureau=bureau, bad=bad, owner=owner)
    customer_with_outcome(bureau=780, bad=False, admitted_days_ago=100, owner=owner)  # window not over: left out
    customer_with_outcome(bureau=560, bad=True, admitted_days_ago=100, owner=owner)  # bad early: counts
    version = published_version()
    report = validate(version)
    assert (report.goods, report.bads, report.enough) == (32, 33, True)
    compiled = compiled_version(version.pk)
    score = {b: evaluate(compiled, {**BASE_INPUTS, "bureau_score": b}).total for b in (780, 650, 560)}
    assert score[780] > score[650] > score[560]
    goods = [score[780]] * 20 + [score[650]] * 12
    bads = [score[650]] * 10 + [score[560]] * 23
    assert report.auc == round(_pairwise_auc(goods, bads), 3)
    assert report.gini == round(2 * _pairwise_auc(goods, bads) - 1, 3)
    # KS: at the 560 score 23 of 33 bads and no good are at or below it (0.697); at 650 all bads and
    # 12 of 32 goods are (1 − 0.375 = 0.625). The widest gap is at 560.
    assert report.ks == round(23 / 33, 3) and report.ks_at == score[560]
    # Each criterion's information value, computed here from the bands the real scoring picked.
    index = next(i for i, c in enumerate(compiled.criteria) if c.metric == "bureau_score")
    band = {b: evaluate(compiled, {**BASE_INPUTS, "bureau_score": b}).criteria[index].band for b in (780, 650, 560)}
    cases = [(band[780], False)] * 20 + [(band[650], False)] * 12 + [(band[650], True)] * 10 + [(band[560], True)] * 23
    cells = {}
    for key, bad in cases:
        cells.setdefault(key, [0, 0])[bad] += 1
    for counts in cells.values():  # the 0.5 adjustment of an empty cell
        counts[:] = [c if c else 0.5 for c in counts]
    total_good, total_bad = sum(c[0] for c in cells.values()), sum(c[1] for c in cells.values())
    iv = sum((g / total_good - b / total_bad) * math.log((g / total_good) / (b / total_bad)) for g, b in cells.values())
    bureau = report.criteria[index]
    assert bureau.iv == round(iv, 3)
    assert bureau.reading == ("strong" if iv >= 0.3 else "medium" if iv >= 0.1 else "weak")
    assert all(c.iv == 0.0 for i, c in enumerate(report.criteria) if i != index)  # the same value for everyone
    tiers = {t: (cases, bads) for t, cases, bads, _rate in report.tiers}
    assert sum(c for c, _b in tiers.values()) == 65
    assert f"in {round(report.auc * 100)} of 100 pairs" in report.readings["auc"]


def test_too_few_outcomes_say_so_instead_of_figures(client, owner):
    for bureau, bad in [(780, False)] * 5 + [(560, True)] * 3:
        customer_with_outcome(bureau=bureau, bad=bad, owner=owner)
    report = validate(published_version())
    assert (report.goods, report.bads, report.enough, report.auc, report.ks, report.criteria) == (5, 3, False, None,
                                                                                                  None, [])
    assert report.too_few == (
        "Only 3 bad and 5 good customers have a known outcome over 12 months; at least 30 of each are needed "
        "before AUC, Gini, KS and information values mean anything."
    )
    client.force_login(user_with("risk_manager", username="rosa"))
    page = client.get(reverse("analysis:validation")).content.decode()
    assert 'id="too-few"' in page and "Only 3 bad and 5 good customers" in page
    assert 'data-figure="auc">—<' in page
    assert "Too few applications to compare" in page


def test_psi_reading_needs_applications_in_both_periods(owner):
    report = validate(published_version())
    assert report.psi is None and report.psi_counts == (0, 0)


@pytest.mark.parametrize(("role", "status"), [("risk_manager", 200), ("approver_finance", 403), ("sales", 403),
                                              (None, 403)])
def test_only_risk_managers_see_validation(client, db, role, status):
    client.force_login(user_with(*([role] if role else []), username="someone"))
    assert client.get(reverse("analysis:validation")).status_code == status


def test_the_draft_what_if_page_shows_both_versions(client, db):
    from screening.services import scorecard_copy

    rosa = user_with("risk_manager", username="rosa")
    published = published_version()
    draft = scorecard_copy(version=published, actor=rosa)
    client.force_login(rosa)
    page = client.get(reverse("screening:scorecard_what_if", args=[draft.pk])).content.decode()
    assert 'id="what-if-validation"' in page
    assert f'data-version="{published.number}"' in page and f'data-version="{draft.number}"' in page
    assert page.count("Only 0 bad and 0 good customers") == 2


def test_the_too_few_message_reads_in_chinese(client, owner):
    customer_with_outcome(bureau=780, bad=False, owner=owner)
    client.force_login(user_with("risk_manager", username="rosa"))
    page = client.get(reverse("analysis:validation"), headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "只有 0 个坏客户和 1 个好客户的表现已知；两类各至少需要 30 个" in page
