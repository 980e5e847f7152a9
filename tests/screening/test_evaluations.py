"""Evaluation snapshots: when they are made, what they hold, when they are current."""

import datetime
from decimal import Decimal

import pytest

from onboarding import services as onboarding_services
from onboarding.enums import State
from onboarding.models import Application
from screening import services
from screening.inputs import application_inputs
from screening.models import Evaluation
from screening.selectors import evaluation_is_current, latest_evaluation, published_version
from screening.tasks import evaluate_application
from tests.factories import advance
from watchlists.enums import Subject
from watchlists.models import ScreeningHit, WatchlistSource
from watchlists.services import hit_disposition

pytestmark = pytest.mark.django_db


def test_entering_background_check_evaluates_after_commit(application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        advance(application, State.BACKGROUND_CHECK)
    evaluation = Evaluation.objects.get(application=application)
    assert (evaluation.total, evaluation.tier, evaluation.passed) == (Decimal("86.30"), "A", True)
    assert evaluation.created_by is None


def test_evaluation_snapshot_holds_version_inputs_and_breakdown(in_background_check, investigator):
    evaluation = services.evaluation_record_for_application(application=in_background_check, actor=investigator)
    assert evaluation.version == published_version()
    assert evaluation.inputs == application_inputs(in_background_check)
    assert evaluation.inputs["fiscal_year"] == datetime.date.today().year - 1
    assert len(evaluation.result["criteria"]) == 14
    assert evaluation.result["criteria"][0] == {
        "metric": "debt_ratio", "group": "financial", "label": "", "weight": 10.0, "value": 53.3333,
        "points": 85, "band": {"lower": 40.0, "upper": 55.0}, "contribution": 8.5, "problem": None, "keys": [],
        "detail": "",
    }
    assert (evaluation.knockouts, evaluation.customer, evaluation.created_by) == ([], None, investigator)


def test_evaluation_is_current_ignores_the_passing_days(in_background_check):
    evaluation = services.evaluation_record_for_application(application=in_background_check)
    Evaluation.objects.filter(pk=evaluation.pk).update(inputs={**evaluation.inputs, "as_of": "2000-01-01"})
    assert evaluation_is_current(in_background_check) is True


def test_evaluation_refresh_is_safe_to_run_twice(in_background_check):
    first = evaluate_application(application_id=in_background_check.pk)
    second = evaluate_application(application_id=in_background_check.pk)
    assert first is not None and second is None
    assert Evaluation.objects.filter(application=in_background_check).count() == 1


def test_evaluation_refresh_ignores_applications_outside_background_check(application):
    assert evaluate_application(application_id=application.pk) is None
    assert evaluate_application(application_id=999_999) is None
    assert not Evaluation.objects.exists()


def test_evaluation_refresh_uses_a_newly_published_version(in_background_check, risk_manager, other_risk_manager):
    services.evaluation_record_for_application(application=in_background_check)
    draft = services.scorecard_copy(version=published_version(), actor=risk_manager)
    services.scorecard_publish(version_id=draft.pk, actor=other_risk_manager)
    evaluate_application(application_id=in_background_check.pk)
    assert latest_evaluation(application=in_background_check).version_id == draft.pk


def test_reentering_background_check_after_resubmit_evaluates_new_data(
    in_background_check, investigator, reviewer, django_capture_on_commit_callbacks
):
    services.evaluation_record_for_application(application=in_background_check)
    owner = in_background_check.created_by
    onboarding_services.application_transition(
        application_id=in_background_check.pk, transition="return_for_information", actor=investigator,
        reason="Bureau report missing",
    )
    Application.objects.filter(pk=in_background_check.pk).update(bureau_score=None)
    with django_capture_on_commit_callbacks(execute=True):
        onboarding_services.application_transition(
            application_id=in_background_check.pk, transition="resubmit", actor=owner
        )
        onboarding_services.application_transition(
            application_id=in_background_check.pk, transition="pass_documents", actor=reviewer
        )
    latest = latest_evaluation(application=in_background_check)
    assert Evaluation.objects.filter(application=in_background_check).count() == 2
    assert (latest.inputs["bureau_score"], latest.total, latest.result["coverage"]) == (None, Decimal("86.48"), 88.0)


def test_confirmed_watchlist_match_re_evaluates_to_a_knock_out(
    in_background_check, investigator, django_capture_on_commit_callbacks
):
    services.evaluation_record_for_application(application=in_background_check)
    source = WatchlistSource.objects.create(name="test list")
    hit = ScreeningHit.objects.create(
        application=in_background_check, source=source, entry_external_id="X1", entry_name="Listed Co",
        subject=Subject.COMPANY_NAME_EN, query_name=in_background_check.legal_name_en, matched_name="Listed Co",
        score=Decimal("95.0"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        hit_disposition(hit_id=hit.pk, actor=investigator, disposition="true_match", reason="Same company")
    latest = latest_evaluation(application=in_background_check)
    assert (latest.tier, latest.passed) == ("D", False)
    assert [k["code"] for k in latest.knockouts] == ["watchlist_true_match"]
    assert evaluation_is_current(in_background_check) is True


def test_latest_evaluation_by_customer_uses_the_newest(in_background_check):
    from onboarding.models import Customer

    customer = Customer.objects.create(
        name="X", credit_code=in_background_check.credit_code, customer_type="sme",
        sales_owner=in_background_check.created_by,
    )
    Application.objects.filter(pk=in_background_check.pk).update(customer=customer)
    in_background_check.refresh_from_db()
    services.evaluation_record_for_application(application=in_background_check)
    newest = services.evaluation_record_for_application(application=in_background_check)
    assert latest_evaluation(customer=customer) == newest
