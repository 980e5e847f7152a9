"""The fast snapshot encoder writes exactly what ``EvaluationResult.as_dict()`` holds."""

import json
import random

import pytest

from monitoring.snapshot import ResultEncoder, fingerprint
from screening.scoring import evaluate
from screening.selectors import published_compiled
from tests.monitoring.factories import BASE_INPUTS

pytestmark = pytest.mark.django_db


def _variants(n: int):
    rng = random.Random(5)
    for _ in range(n):
        inputs = {**BASE_INPUTS, "as_of": "2026-06-01"}
        for key in ("revenue", "net_profit", "total_assets", "total_liabilities", "current_liabilities",
                    "operating_cash_flow", "top_customer_share"):
            inputs[key] = rng.choice([None, 0.0, -1.0, inputs[key] * rng.uniform(0.1, 3)])
        inputs["bureau_score"] = rng.choice([None, 300, 499, 500, 650, 799])
        inputs["tax_rating"] = rng.choice([None, "A", "D", "M"])
        inputs["market_position"] = rng.choice([None, "leader", "weak"])
        inputs["capital_currency"] = rng.choice(["CNY", "USD"])
        inputs["registration_date"] = rng.choice([None, "2026-01-01", "1999-12-31", "not a date"])
        inputs["watchlist_true_match"] = rng.random() < 0.1
        yield inputs


def test_encoded_result_equals_as_dict_for_many_inputs():
    compiled = published_compiled()
    encoder = ResultEncoder(compiled)
    for inputs in _variants(300):
        result = evaluate(compiled, inputs)
        assert json.loads(encoder.encode(result)) == result.as_dict()
        assert json.loads(encoder.knockouts(result)) == [k.as_dict() for k in result.knockouts]


def test_fingerprint_changes_with_the_model_the_data_the_industry_and_the_watchlist():
    base = fingerprint(1, 4, 2, False)
    assert base == fingerprint(1, 4, 2, False)
    assert len({base, fingerprint(2, 4, 2, False), fingerprint(1, 5, 2, False), fingerprint(1, 4, 3, False),
                fingerprint(1, 4, 2, True)}) == 5
