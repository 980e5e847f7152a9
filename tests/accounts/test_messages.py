"""accounts.messages: codes with parameters, rendered in the active language; short-column encoding."""

import pytest
from django.utils import translation

from accounts import messages as stored


def test_message_renders_nested_messages_choices_and_lists_in_the_active_language():
    summary = stored.message("approvals.votes", votes=stored.joined([
        stored.message("approvals.vote", department=stored.choice("approvals.department", "finance"),
                       decision=stored.choice("approvals.decision", "approve")),
        stored.message("approvals.vote_with_reason", department=stored.choice("approvals.department", "legal"),
                       decision=stored.choice("approvals.decision", "reject"), reason="#9"),
    ]))
    with translation.override("en"):
        assert str(summary) == "Finance (Approve); Legal (Reject): #9"
    with translation.override("zh-hans"):
        assert str(summary) == "财务（批准）；法务（拒绝）：#9"


def test_unknown_codes_and_lazy_parameters_are_refused():
    with pytest.raises(KeyError):
        stored.message("no.such.code")
    from django.utils.translation import gettext_lazy

    with pytest.raises(TypeError):
        stored.message("onboarding.customer_admitted", reference=gettext_lazy("Draft")).as_data()


def test_encode_round_trips_and_keeps_plain_text_and_prefixes():
    encoded = stored.encode(stored.message("onboarding.customer_admitted", reference="APP-000001"))
    assert encoded.startswith(stored.MARKER) and len(encoded) <= 100
    with translation.override("en"):
        assert stored.render_stored(encoded) == "APP-000001 approved"
        assert stored.render_stored("[via API client CRM] " + encoded) == "[via API client CRM] APP-000001 approved"
    with translation.override("zh-hans"):
        assert stored.render_stored(encoded) == "APP-000001 已获批准"
    assert stored.render_stored("fulfilled") == "fulfilled"  # an old row
    assert stored.render_stored(None) == ""
    assert stored.render_stored(stored.MARKER + "{broken") == stored.MARKER + "{broken"


def test_a_message_too_long_for_the_column_is_stored_as_text():
    long = stored.message("monitoring.alerts_assigned", actor="x" * 200, count=1)
    with translation.override("en"):
        assert stored.encode(long) == ("x" * 200 + " assigned 1 alert(s) to you.")[:100]


def test_unknown_code_in_stored_data_shows_its_parameters():
    assert stored.render({"code": "gone.code", "params": {"reference": "APP-1"}}) == "APP-1"
    assert stored.render({"code": "gone.code", "params": {}}, default="old text") == "old text"


def test_malformed_stored_data_reads_as_the_fallback_text():
    assert stored.render(5, default="old") == "old"
    assert stored.render({"code": "onboarding.customer_admitted", "params": 3}, default="old") == "old"
