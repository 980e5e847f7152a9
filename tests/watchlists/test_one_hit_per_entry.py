"""One hit per (party, list entry) with the names that matched; false positives remembered
for the same subject while the entry is unchanged, asked again (marked) when it changed."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from onboarding.enums import State
from onboarding.participation import Stage
from onboarding.services import application_transition
from tests.factories import ApplicationFactory, advance
from tests.watchlists.conftest import import_list
from watchlists import selectors
from watchlists.checks import _dispositioned_hits, hits_dispositioned
from watchlists.enums import Disposition, Subject
from watchlists.models import ScreeningHit
from watchlists.services import hit_disposition, screen_application, screen_customers

pytestmark = pytest.mark.django_db

CODE = "91310000MA1FL8X123"
ENTRY = "C-9,宏远重工有限公司,Hongyuan Heavy Industry Co. Ltd.,CN,{program},company"


def _list(program="TEST"):
    return import_list(ENTRY.format(program=program), source="Sanctions")


def _screened(sales, reviewer, **fields):
    fields.setdefault("credit_code", CODE)
    application = advance(ApplicationFactory(
        created_by=sales, legal_name_zh="宏远重工有限公司", legal_name_en="Hongyuan Heavy Industry Co. Ltd.",
        legal_representative="Nobody Listed", **fields,
    ), State.BACKGROUND_CHECK, reviewer=reviewer)
    screen_application(application_id=application.pk)
    return application


def _close(application):
    """Withdrawn: the same company may then apply again (one open application per credit code)."""
    application_transition(application_id=application.pk, transition="withdraw", actor=application.created_by,
                           reason="test")


def test_one_entry_matched_by_two_names_is_one_hit_with_both(sales, reviewer):
    _list()
    application = _screened(sales, reviewer)
    [hit] = ScreeningHit.objects.filter(application=application)
    assert hit.entry_external_id == "C-9"
    assert sorted((m["subject"], m["matched_name"], m["score"]) for m in hit.matches) == [
        (Subject.COMPANY_NAME_EN, "Hongyuan Heavy Industry Co. Ltd.", 100.0),
        (Subject.COMPANY_NAME_ZH, "宏远重工有限公司", 100.0),
    ]
    assert selectors.latest_run(application.pk).hits_found == 1
    screen_application(application_id=application.pk)
    assert ScreeningHit.objects.filter(application=application).count() == 1


def test_a_false_positive_is_remembered_for_the_same_credit_code(sales, reviewer, investigator, client):
    _list()
    first = _screened(sales, reviewer)
    [decided] = ScreeningHit.objects.filter(application=first)
    hit_disposition(hit_id=decided.pk, actor=investigator, disposition=Disposition.FALSE_POSITIVE,
                    reason="Same name, different company (registered in 2019)")
    _close(first)
    second = _screened(sales, reviewer)
    [remembered] = ScreeningHit.objects.filter(application=second)
    assert (remembered.disposition, remembered.remembered_from_id, remembered.dispositioned_by) == (
        Disposition.FALSE_POSITIVE, decided.pk, None
    )
    assert remembered.reason == "Same name, different company (registered in 2019)"
    # Not asked again: the guard passes, and nobody took part in the second application's investigation.
    assert hits_dispositioned(second) == []
    assert _dispositioned_hits(investigator.pk, [first.pk, second.pk]) == {first.pk}
    client.force_login(investigator)
    body = client.get(reverse("onboarding:application_detail", args=[second.pk])).content.decode()
    assert 'data-testid="hit-remembered"' in body
    assert f"remembered: {investigator} decided this on" in body


def test_another_subject_is_asked(sales, reviewer, investigator):
    _list()
    first = _screened(sales, reviewer)
    [decided] = ScreeningHit.objects.filter(application=first)
    hit_disposition(hit_id=decided.pk, actor=investigator, disposition=Disposition.FALSE_POSITIVE, reason="Other")
    other = _screened(sales, reviewer, credit_code="91310000MA1FL8X999")
    [hit] = ScreeningHit.objects.filter(application=other)
    assert (hit.disposition, hit.remembered_from_id, hit.reopened_from_id) == (Disposition.PENDING, None, None)


def test_a_changed_entry_is_asked_again_and_marked(sales, reviewer, investigator, client):
    _list()
    first = _screened(sales, reviewer)
    [decided] = ScreeningHit.objects.filter(application=first)
    hit_disposition(hit_id=decided.pk, actor=investigator, disposition=Disposition.FALSE_POSITIVE, reason="Other")
    _list(program="TEST; NEW-PROGRAMME")  # the entry changed
    screen_application(application_id=first.pk)
    _close(first)
    second = _screened(sales, reviewer)
    [asked] = ScreeningHit.objects.filter(application=second)
    assert (asked.disposition, asked.reopened_from_id, asked.remembered_from_id) == (
        Disposition.PENDING, decided.pk, None
    )
    assert hits_dispositioned(second) == [
        "1 watchlist hit is waiting for a disposition (false positive or true match)."
    ]
    # The first application, screened again, was asked again too; its decision stays on record.
    hits = list(ScreeningHit.objects.filter(application=first).order_by("pk"))
    assert [(hit.disposition, hit.reopened_from_id) for hit in hits] == [
        (Disposition.FALSE_POSITIVE, None), (Disposition.PENDING, decided.pk)
    ]
    client.force_login(investigator)
    body = client.get(reverse("onboarding:application_detail", args=[second.pk])).content.decode()
    assert 'data-testid="hit-asked-again"' in body and "the list entry has changed since" in body


def test_an_unchanged_reimport_asks_nothing_again(sales, reviewer, investigator):
    _list()
    first = _screened(sales, reviewer)
    [decided] = ScreeningHit.objects.filter(application=first)
    hit_disposition(hit_id=decided.pk, actor=investigator, disposition=Disposition.FALSE_POSITIVE, reason="Other")
    _list()  # same content
    screen_application(application_id=first.pk)
    assert list(ScreeningHit.objects.filter(application=first).values_list("disposition", flat=True)) == [
        Disposition.FALSE_POSITIVE
    ]


def test_a_customer_inherits_the_decision_on_its_application(sales, reviewer, investigator):
    from onboarding.models import Customer

    _list()
    application = _screened(sales, reviewer)
    [decided] = ScreeningHit.objects.filter(application=application)
    hit_disposition(hit_id=decided.pk, actor=investigator, disposition=Disposition.FALSE_POSITIVE, reason="Other")
    _close(application)
    customer = Customer.objects.create(name="宏远重工有限公司", credit_code=CODE, customer_type="sme",
                                       sales_owner=sales)
    assert screen_customers([customer.pk]) == {customer.pk: 0}  # nothing new to decide
    [hit] = ScreeningHit.objects.filter(customer=customer)
    assert (hit.disposition, hit.remembered_from_id) == (Disposition.FALSE_POSITIVE, decided.pk)


def test_segregation_provider_still_names_the_investigator(listed_application, investigator):
    hit = ScreeningHit.objects.filter(application=listed_application).first()
    hit_disposition(hit_id=hit.pk, actor=investigator, disposition=Disposition.TRUE_MATCH, reason="Same person")
    assert _dispositioned_hits(investigator.pk, [listed_application.pk]) == {listed_application.pk}
    assert Stage.INVESTIGATION  # the provider is registered for this stage (watchlists.checks.register)


def test_screen_json_gives_the_id_in_the_list(db, capsys):
    _list()
    call_command("screen", "宏远重工有限公司", "--json")
    [found] = json.loads(capsys.readouterr().out)
    assert (found["list_entry_id"], found["source"], found["score"]) == ("C-9", "Sanctions", 100.0)


def test_a_decision_from_before_fingerprints_is_not_asked_again(sales, reviewer, investigator):
    _list()
    application = _screened(sales, reviewer)
    [decided] = ScreeningHit.objects.filter(application=application)
    hit_disposition(hit_id=decided.pk, actor=investigator, disposition=Disposition.FALSE_POSITIVE, reason="Other")
    ScreeningHit.objects.filter(pk=decided.pk).update(entry_fingerprint="")  # as migrated
    _list(program="CHANGED")
    screen_application(application_id=application.pk)
    assert list(ScreeningHit.objects.filter(application=application).values_list("pk", "disposition")) == [
        (decided.pk, Disposition.FALSE_POSITIVE)
    ]


def test_the_migration_folds_hits_per_name_form_into_one_per_entry(listed_application, investigator):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("watchlists.migrations.0007_one_hit_per_entry")
    hit = ScreeningHit.objects.filter(application=listed_application, entry_external_id="P-9").get()
    # As stored before: one hit per name form of the same entry (told apart here by the fingerprint).
    hit_disposition(hit_id=hit.pk, actor=investigator, disposition=Disposition.FALSE_POSITIVE, reason="Other")
    copy = ScreeningHit.objects.get(pk=hit.pk)
    copy.pk, copy.subject, copy.disposition, copy.entry_fingerprint = None, Subject.CREDIT_CODE, "pending", "b"
    copy.score = 90
    copy.save()
    copy.pk, copy.entry_fingerprint, copy.disposition = None, "c", Disposition.TRUE_MATCH
    copy.save()
    migration.merge_hits_per_entry(apps, None)
    kept = list(ScreeningHit.objects.filter(application=listed_application, entry_external_id="P-9")
                .order_by("pk").values_list("pk", "disposition", "entry_fingerprint"))
    assert kept == [(hit.pk, Disposition.FALSE_POSITIVE, hit.entry_fingerprint),
                    (copy.pk, Disposition.TRUE_MATCH, f"legacy-{copy.pk}")]
    assert [m["subject"] for m in ScreeningHit.objects.get(pk=hit.pk).matches] == [
        Subject.LEGAL_REPRESENTATIVE, Subject.CREDIT_CODE, Subject.CREDIT_CODE
    ]
