"""The committee rule as one pure function, so that it can be read and tested as a table.

A round's policy snapshot (``Round.policy``) says which departments must vote (``departments``),
the rule (``majority`` or ``unanimous``) and which departments can veto (``veto``). Votes are
``{department: decision}``; there is at most one per department (a database constraint).

With ``n`` required departments, approval needs ``m`` approving votes (approve, or approve
with conditions): ``m = n`` under the unanimous rule, ``m = n // 2 + 1`` under the majority rule.
``decide`` looks at the votes cast so far and returns, in this order of precedence:

1. ``rejected`` when a veto department rejected (at once, whatever the others said);
2. ``approved`` when ``m`` departments approved and every veto department approved too: a
   veto cannot be outrun, so an approval waits for the vote of each department that can veto
   (a majority does not wait for the others). Only a policy that says so explicitly
   (``silence_consents``) lets the approval settle while a veto department has not voted;
   a question from a veto department still stops it (step 4);
3. ``rejected`` when approval has become impossible: more than ``n - m`` departments rejected
   (unanimous: any reject; majority of three: two rejects; a split of two is a rejection);
4. ``information_requested`` when a department asked for information and nothing above
   holds: the round stops and the application returns to its sales owner with the questions,
   under either rule. A question is never outvoted: a department that cannot judge without
   the answer is not overruled by the others approving after it asked. A question counts as
   "not yet an answer" in step 3, so it never turns into a rejection;
5. ``None`` otherwise: the round waits for more votes.

``vote_cast`` calls it after every vote and applies the first outcome it returns, so in
practice at most one of these conditions becomes true at a time; the precedence only
matters for sets of votes the service never lets happen (for instance a question recorded
after a majority had already approved).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from approvals.enums import APPROVING, Decision, Outcome, Rule


def approvals_needed(policy: Mapping) -> int:
    """``m``: how many required departments must approve under the policy's rule."""
    n = len(policy["departments"])
    return n if policy["rule"] == Rule.UNANIMOUS else n // 2 + 1


def decide(policy: Mapping, votes: Mapping[str, str]) -> Outcome | None:
    """The outcome the votes settle under ``policy``, or ``None`` while the round must go on.

    Votes of departments the policy does not require are ignored (the service refuses them).
    """
    required = set(policy["departments"])
    cast = {department: decision for department, decision in votes.items() if department in required}
    needed = approvals_needed(policy)
    approvals = sum(1 for decision in cast.values() if decision in APPROVING)
    rejects = sum(1 for decision in cast.values() if decision == Decision.REJECT)
    questions = sum(1 for decision in cast.values() if decision == Decision.REQUEST_INFORMATION)

    veto = [department for department in policy.get("veto", ()) if department in required]
    if any(cast.get(department) == Decision.REJECT for department in veto):
        return Outcome.REJECTED
    silence_consents = bool(policy.get("silence_consents"))
    veto_holds_back = any(
        cast.get(department) not in APPROVING and (department in cast or not silence_consents) for department in veto
    )
    if approvals >= needed and not veto_holds_back:
        return Outcome.APPROVED
    if rejects > len(required) - needed:
        return Outcome.REJECTED
    if questions:
        return Outcome.INFORMATION_REQUESTED
    return None


def admission_terms(
    *, requested_limit: Decimal | None, requested_terms: int | None, conditional: list[tuple[Decimal, int]]
) -> tuple[Decimal, int]:
    """The credit limit and payment terms an approval admits the customer with.

    The most restrictive of the conditional approvals (lowest limit, shortest terms, each on
    its own: one department may cut the limit and another the terms); the requested ones when
    every approving vote was a plain approval.
    """
    if conditional:
        return min(limit for limit, _terms in conditional), min(terms for _limit, terms in conditional)
    return (requested_limit if requested_limit is not None else Decimal("0"),
            requested_terms if requested_terms is not None else 0)
