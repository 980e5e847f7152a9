"""The committee rule as a table: each tier's default policy against combinations of votes.

Votes are written as ``F``/``L``/``B`` (finance, legal, business) with ``a`` approve,
``c`` approve with conditions, ``r`` reject, ``q`` request information; a department
not listed has not voted yet.
"""

from decimal import Decimal

import pytest

from approvals.enums import Outcome
from approvals.models import CommitteePolicy
from approvals.rules import admission_terms, approvals_needed, decide

APPROVED, REJECTED, RETURNED = Outcome.APPROVED, Outcome.REJECTED, Outcome.INFORMATION_REQUESTED
ALL = ["finance", "legal", "business"]
POLICIES = {
    "A": {"tier": "A", "evaluated": True, "departments": ALL, "rule": "majority", "veto": ["legal"], "warning": False,
          "silence_consents": False},
    "B": {"tier": "B", "evaluated": True, "departments": ALL, "rule": "majority", "veto": ["legal"], "warning": False,
          "silence_consents": False},
    "C": {"tier": "C", "evaluated": True, "departments": ALL, "rule": "unanimous", "veto": [], "warning": False,
          "silence_consents": False},
    "D": {"tier": "D", "evaluated": True, "departments": ALL, "rule": "unanimous", "veto": [], "warning": True,
          "silence_consents": False},
}
DEPARTMENTS = {"F": "finance", "L": "legal", "B": "business"}
DECISIONS = {"a": "approve", "c": "approve_with_conditions", "r": "reject", "q": "request_information"}


def votes(spec: str) -> dict[str, str]:
    return {DEPARTMENTS[item[0]]: DECISIONS[item[1]] for item in spec.split()}


# (votes, outcome under majority with a legal veto (A, B), outcome under unanimity (C, D))
TABLE = [
    ("", None, None),
    ("Fa", None, None),
    ("La", None, None),
    ("Fa Ba", None, None),  # the veto cannot be outrun: an approval waits for legal's vote
    ("Fc Ba", None, None),
    ("Fa La", APPROVED, None),
    ("Fc Lc", APPROVED, None),
    ("Fa La Ba", APPROVED, APPROVED),
    ("Fc La Bc", APPROVED, APPROVED),
    ("Fr", None, REJECTED),
    ("Br", None, REJECTED),
    ("Lr", REJECTED, REJECTED),  # the legal veto: at once, nobody else asked
    ("Fa Lr", REJECTED, REJECTED),
    ("Fa Br", None, REJECTED),  # one each: legal breaks the tie under majority
    ("Fa Br La", APPROVED, REJECTED),
    ("Fa Br Lr", REJECTED, REJECTED),
    ("Fr Br", REJECTED, REJECTED),  # a majority rejects without a veto
    ("Fr Br La", REJECTED, REJECTED),
    ("Fa La Br", APPROVED, REJECTED),  # majority: business's reject is outvoted; unanimity: it decides
    ("Fq", RETURNED, RETURNED),
    ("Lq", RETURNED, RETURNED),
    ("Fa Lq", RETURNED, RETURNED),
    ("Fa Bq", RETURNED, RETURNED),
    ("Fr Lq", RETURNED, REJECTED),  # majority: one reject cannot reject yet, the question stops the round
    ("Fq Bq", RETURNED, RETURNED),
    ("Fa Ba Lq", RETURNED, RETURNED),  # the veto holder's question stops an approval that waited for it
    ("Fa Ba La", APPROVED, APPROVED),
    ("Fa Ba Lc", APPROVED, APPROVED),
    ("Fr Br Lq", REJECTED, REJECTED),
    ("Fa Ba Lr", REJECTED, REJECTED),  # the veto comes first in the precedence
]


@pytest.mark.parametrize("tier", ["A", "B", "C", "D"])
@pytest.mark.parametrize(("spec", "majority_outcome", "unanimous_outcome"), TABLE)
def test_decide_default_policy_table(tier, spec, majority_outcome, unanimous_outcome):
    expected = majority_outcome if tier in ("A", "B") else unanimous_outcome
    assert decide(POLICIES[tier], votes(spec)) == expected


@pytest.mark.parametrize(
    ("departments", "rule", "veto", "spec", "expected"),
    [
        (["finance", "legal"], "majority", [], "Fa", None),
        (["finance", "legal"], "majority", [], "Fa La", APPROVED),
        (["finance", "legal"], "majority", [], "Fa Lr", REJECTED),  # a split of two cannot approve
        (["finance"], "majority", [], "Fa", APPROVED),
        (["finance"], "unanimous", ["finance"], "Fr", REJECTED),
        (["finance", "legal"], "unanimous", [], "Fa Ba", None),  # business does not vote: ignored
        (["finance", "legal", "business"], "majority", ["finance", "legal"], "Fr", REJECTED),
        (["finance", "legal", "business"], "majority", [], "Lr", None),  # no veto, one reject of three
        (["finance", "legal", "business"], "majority", [], "Fa Ba", APPROVED),  # no veto: a majority settles
        (["finance", "legal", "business"], "majority", ["finance", "legal"], "Fa Ba", None),  # legal not yet
        (["finance", "legal", "business"], "majority", ["finance", "legal"], "Fa Ba La", APPROVED),
    ],
)
def test_decide_edited_policies(departments, rule, veto, spec, expected):
    policy = {"departments": departments, "rule": rule, "veto": veto}
    assert decide(policy, votes(spec)) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("Fa Ba", APPROVED),  # the policy says a veto department's silence is consent
        ("Fa", None),
        ("Fa Ba Lq", RETURNED),  # having spoken, its question still stops the approval
        ("Fa Lr", REJECTED),
        ("Fa Br", None),
    ],
)
def test_decide_when_silence_consents(spec, expected):
    policy = {"departments": ALL, "rule": "majority", "veto": ["legal"], "silence_consents": True}
    assert decide(policy, votes(spec)) == expected


@pytest.mark.parametrize(
    ("departments", "rule", "needed"),
    [(ALL, "majority", 2), (ALL, "unanimous", 3), (["finance", "legal"], "majority", 2), (["legal"], "majority", 1)],
)
def test_approvals_needed(departments, rule, needed):
    assert approvals_needed({"departments": departments, "rule": rule}) == needed


@pytest.mark.django_db
def test_default_policies_from_the_data_migration():
    stored = {p.tier: p.snapshot(tier=p.tier, evaluated=True) for p in CommitteePolicy.objects.all()}
    assert stored == POLICIES


@pytest.mark.parametrize(
    ("conditional", "expected"),
    [
        ([], (Decimal("800000"), 60)),
        ([(Decimal("500000"), 45)], (Decimal("500000"), 45)),
        ([(Decimal("500000"), 60), (Decimal("700000"), 30)], (Decimal("500000"), 30)),  # each term on its own
        ([(Decimal("0"), 0), (Decimal("700000"), 30)], (Decimal("0"), 0)),
    ],
)
def test_admission_terms_most_restrictive(conditional, expected):
    assert admission_terms(
        requested_limit=Decimal("800000"), requested_terms=60, conditional=conditional
    ) == expected


def test_admission_terms_without_a_request_is_nothing_on_credit():
    assert admission_terms(requested_limit=None, requested_terms=None, conditional=[]) == (Decimal("0"), 0)
