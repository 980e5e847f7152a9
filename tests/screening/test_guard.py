"""The guard out of background check: each missing piece has its own message."""

import datetime
from decimal import Decimal

import pytest

from onboarding import services as onboarding_services
from onboarding.enums import State
from onboarding.models import Application
from screening import services
from screening.selectors import background_check_blockers, investigation_policy
from tests.factories import pdf_upload
from watchlists.services import screen_application

pytestmark = pytest.mark.django_db

NOT_EVALUATED = "The application has not been evaluated with the scorecard yet."
STALE = "The application's data changed after the last evaluation: evaluate it again."
INTERVIEW = "An interview record is required (always)."


def _interview(application, investigator):
    return services.interview_record(
        application=application, actor=investigator, date=datetime.date(2026, 1, 5), participants="CFO",
        business_model="Direct sales", management="Stable", plans="", findings="None",
    )


def test_guard_without_evaluation_or_interview_names_both(in_background_check):
    assert background_check_blockers(in_background_check) == [NOT_EVALUATED, INTERVIEW]


def test_guard_with_evaluation_asks_only_for_the_interview(in_background_check):
    services.evaluation_record_for_application(application=in_background_check)
    assert background_check_blockers(in_background_check) == [INTERVIEW]


def test_guard_after_data_change_asks_to_evaluate_again(in_background_check, investigator):
    services.evaluation_record_for_application(application=in_background_check)
    _interview(in_background_check, investigator)
    Application.objects.filter(pk=in_background_check.pk).update(bureau_score=600)
    assert background_check_blockers(Application.objects.get(pk=in_background_check.pk)) == [STALE]


def test_guard_after_financial_statement_change_asks_to_evaluate_again(in_background_check, investigator):
    services.evaluation_record_for_application(application=in_background_check)
    _interview(in_background_check, investigator)
    in_background_check.financials.update(net_profit=Decimal("-1"))
    assert background_check_blockers(Application.objects.get(pk=in_background_check.pk)) == [STALE]


def test_guard_large_limit_requires_site_visit(make_in_background_check, investigator):
    application = make_in_background_check(requested_credit_limit=Decimal("2000000"))
    services.evaluation_record_for_application(application=application)
    _interview(application, investigator)
    assert background_check_blockers(application) == [
        "A site visit record is required (requested limit above 1,000,000 CNY).",
    ]
    services.site_visit_record(
        application=application, actor=investigator, date=datetime.date(2026, 1, 6), address="Pudong",
        operations="Running", premises="Owned", staff="420",
    )
    assert background_check_blockers(application) == []


def test_guard_tier_d_and_very_large_limit_require_visit_and_report(make_in_background_check, investigator):
    application = make_in_background_check(tax_rating="D", requested_credit_limit=Decimal("6000000"))
    evaluation = services.evaluation_record_for_application(application=application)
    assert evaluation.tier == "D"
    assert background_check_blockers(application) == [
        INTERVIEW,
        "A site visit record is required (tier D, requested limit above 1,000,000 CNY).",
        "A third-party report is required (tier D, requested limit above 5,000,000 CNY).",
    ]
    services.third_party_report_record(
        application=application, actor=investigator, upload=pdf_upload("report.pdf"), provider="D&B",
        report_date=datetime.date(2026, 1, 7), conclusion="Weak",
    )
    assert background_check_blockers(application)[-1] == (
        "A site visit record is required (tier D, requested limit above 1,000,000 CNY)."
    )


def test_guard_follows_the_policy(in_background_check):
    InvestigationPolicyRow = type(investigation_policy())
    InvestigationPolicyRow.objects.filter(pk=1).update(interview_always=False)
    services.evaluation_record_for_application(application=in_background_check)
    assert background_check_blockers(in_background_check) == []


def test_pass_background_check_refused_with_each_message(in_background_check, investigator):
    screen_application(application_id=in_background_check.pk)
    with pytest.raises(onboarding_services.TransitionRefused) as refused:
        onboarding_services.application_transition(
            application_id=in_background_check.pk, transition="pass_background_check", actor=investigator,
        )
    assert refused.value.messages == [NOT_EVALUATED, INTERVIEW]
    assert Application.objects.get(pk=in_background_check.pk).state == State.BACKGROUND_CHECK


def test_pass_background_check_succeeds_with_everything_present(in_background_check, investigator):
    screen_application(application_id=in_background_check.pk)
    services.evaluation_record_for_application(application=in_background_check)
    _interview(in_background_check, investigator)
    onboarding_services.application_transition(
        application_id=in_background_check.pk, transition="pass_background_check", actor=investigator,
    )
    moved = Application.objects.get(pk=in_background_check.pk)
    assert (moved.state, moved.investigator) == (State.COMMITTEE_REVIEW, investigator)
