"""Screening applications and customers: automatic on entering background check, idempotent."""

from decimal import Decimal

import pytest

from accounts.roles import Role
from onboarding.enums import State
from onboarding.models import Customer
from onboarding.services import application_transition
from tests.factories import ApplicationFactory, accept_all_documents, advance, user_with
from tests.watchlists.conftest import import_list
from watchlists import selectors
from watchlists.enums import Disposition, Subject
from watchlists.models import ScreeningHit, ScreeningRun
from watchlists.services import screen_application, screen_customers

pytestmark = pytest.mark.django_db


@pytest.fixture
def sanctions(db):
    return import_list(
        "P-9,王建国,Wang Jianguo,CN,TEST,person",
        "C-9,宏远重工有限公司,,CN,TEST,company",
        "C-8,Hongyuan Heavy Industry Co. Ltd.,,CN,TEST,company",
        "X-1,Wang Jianguo Trading Co.,,CN,TEST,company",
        header="id,name,aliases,country,program,entity_type\n",
        source="Sanctions",
    )


def _hits(application):
    return sorted(
        (hit.subject, hit.entry_external_id, float(hit.score))
        for hit in ScreeningHit.objects.filter(application=application)
    )


def test_entering_background_check_screens_the_application(
    sanctions, sales, reviewer, django_capture_on_commit_callbacks
):
    application = advance(ApplicationFactory(created_by=sales, legal_name_zh="宏远重工股份有限公司",
                                             legal_name_en="HONGYUAN HEAVY INDUSTRY LIMITED"),
                          State.DOCUMENT_REVIEW)
    accept_all_documents(application, reviewer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        application_transition(application_id=application.pk, transition="pass_documents", actor=reviewer)
    assert len(callbacks) >= 1
    # Company names against companies, the legal representative (王建国) against persons only.
    assert _hits(application) == [
        (Subject.COMPANY_NAME_EN, "C-8", 100.0),
        (Subject.COMPANY_NAME_ZH, "C-9", 100.0),
        (Subject.LEGAL_REPRESENTATIVE, "P-9", 100.0),
    ]
    run = ScreeningRun.objects.get(application=application)
    assert (run.hits_found, run.entries_screened) == (3, 4)
    assert selectors.screened_since(application_id=application.pk, since=application.state_entered_at)


def test_other_transitions_do_not_screen(sanctions, sales, django_capture_on_commit_callbacks):
    application = ApplicationFactory(created_by=sales)
    with django_capture_on_commit_callbacks(execute=True):
        advance(application, State.DOCUMENT_REVIEW)
    assert ScreeningRun.objects.count() == 0


def test_screening_twice_does_not_duplicate_hits_or_touch_dispositions(sanctions, sales, reviewer):
    application = advance(ApplicationFactory(created_by=sales), State.BACKGROUND_CHECK, reviewer=reviewer)
    screen_application(application_id=application.pk)
    hit = ScreeningHit.objects.get(application=application)
    ScreeningHit.objects.filter(pk=hit.pk).update(disposition=Disposition.FALSE_POSITIVE, reason="Other person")
    screen_application(application_id=application.pk)
    assert ScreeningHit.objects.filter(application=application).count() == 1
    hit.refresh_from_db()
    assert (hit.disposition, hit.reason) == (Disposition.FALSE_POSITIVE, "Other person")
    assert ScreeningRun.objects.filter(application=application).count() == 2


def test_credit_code_on_the_list_is_a_hit_by_identifier(db, sales, reviewer):
    application = ApplicationFactory(created_by=sales, legal_representative="无关人")
    import_list(
        f"C-5,Completely Different Name,,CN,TEST,company,{application.credit_code}",
        header="id,name,aliases,country,program,entity_type,identifiers\n",
    )
    advance(application, State.BACKGROUND_CHECK, reviewer=reviewer)
    screen_application(application_id=application.pk)
    hit = ScreeningHit.objects.get(application=application)
    assert (hit.subject, hit.score, hit.matched_name, hit.query_name) == (
        Subject.CREDIT_CODE, Decimal("100.0"), application.credit_code, application.credit_code
    )


def test_screening_stores_only_hits_at_or_above_the_threshold(db, sales, reviewer, settings):
    import_list("P-1,Li Wen,,CN,TEST,person")  # against 李伟: "li wen" / "li wei", (1 - 2/12) × 100
    application = advance(ApplicationFactory(created_by=sales, legal_representative="李伟"), State.BACKGROUND_CHECK,
                          reviewer=reviewer)
    screen_application(application_id=application.pk)
    assert ScreeningHit.objects.count() == 0
    settings.WATCHLIST_MATCH_THRESHOLD = 83.3
    screen_application(application_id=application.pk)
    assert [float(hit.score) for hit in ScreeningHit.objects.all()] == [83.3]


def test_screen_customers_stores_hits_on_the_customer(sanctions, db):
    owner = user_with(Role.SALES)
    customer = Customer.objects.create(name="宏远重工有限公司", credit_code="91350100M000100Y43",
                                       customer_type="sme", sales_owner=owner)
    assert screen_customers([customer.pk]) == {customer.pk: 1}
    hit = ScreeningHit.objects.get()
    assert (hit.customer, hit.application, hit.subject, hit.entry_external_id) == (
        customer, None, Subject.CUSTOMER_NAME, "C-9"
    )
    assert screen_customers([customer.pk]) == {customer.pk: 0}
    assert ScreeningRun.objects.filter(customer=customer).count() == 2


def test_has_true_match_for_application_and_customer(sanctions, sales, reviewer):
    owner = user_with(Role.SALES)
    customer = Customer.objects.create(name="Clean Name", credit_code="91350100M000100Y43", customer_type="sme",
                                       sales_owner=owner)
    application = advance(ApplicationFactory(created_by=sales, customer=customer), State.BACKGROUND_CHECK,
                          reviewer=reviewer)
    screen_application(application_id=application.pk)
    assert selectors.undispositioned_hits(application.pk) == 1
    assert not selectors.has_true_match(application_id=application.pk)
    ScreeningHit.objects.update(disposition=Disposition.TRUE_MATCH, reason="Same person")
    assert selectors.undispositioned_hits(application.pk) == 0
    assert selectors.has_true_match(application_id=application.pk)
    # A true match found on one of its applications counts for the customer.
    assert selectors.has_true_match(customer_id=customer.pk)
    assert not selectors.has_true_match(customer_id=customer.pk + 1)


def test_has_true_match_needs_an_id():
    with pytest.raises(ValueError):
        selectors.has_true_match()


def test_rescreen_command_runs_the_services(sanctions, sales, reviewer):
    import io

    from django.core.management import call_command

    application = advance(ApplicationFactory(created_by=sales), State.BACKGROUND_CHECK, reviewer=reviewer)
    out = io.StringIO()
    call_command("watchlist_rescreen", "--application", str(application.pk), "--open-applications", stdout=out)
    assert out.getvalue() == (
        f"application {application.pk}: 1 hit(s)\n1 application(s) in background check screened\n"
    )
    assert ScreeningRun.objects.filter(application=application).count() == 2


def test_tasks_call_the_services(sanctions, sales, reviewer):
    from watchlists import tasks

    application = advance(ApplicationFactory(created_by=sales), State.BACKGROUND_CHECK, reviewer=reviewer)
    run_id = tasks.screen_application.delay(application_id=application.pk).get()
    assert ScreeningRun.objects.get(pk=run_id).application == application
    assert tasks.screen_open_applications.delay().get() == 1
