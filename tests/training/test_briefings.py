"""Briefings: a scorecard publication tells exactly the affected people exactly what changed; read receipts;
the acknowledgement gate; committee policy and monitoring changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from approvals.services import committee_policy_save
from onboarding.services import TransitionRefused
from screening import services as screening
from screening.models import ScorecardVersion
from tests.factories import ApplicationFactory, upload_required_documents, user_with
from training import services
from training.briefings import rendered
from training.models import Briefing, BriefingReceipt


@pytest.fixture
def staff(db):
    return {
        "sally": user_with(Role.SALES, username="sally"), "rita": user_with(Role.DOCUMENT_REVIEWER, username="rita"),
        "ivan": user_with(Role.INVESTIGATOR, username="ivan"), "fay": user_with(Role.APPROVER_FINANCE, username="fay"),
        "leo": user_with(Role.APPROVER_LEGAL, username="leo"), "bea": user_with(Role.APPROVER_BUSINESS, username="bea"),
        "rosa": user_with(Role.RISK_MANAGER, username="rosa"), "ruth": user_with(Role.RISK_MANAGER, username="ruth"),
        "rick": user_with(Role.RISK_MANAGER, username="rick"),
    }


def publish_with_changes(staff, django_capture_on_commit_callbacks) -> Briefing:
    published = ScorecardVersion.objects.get(status="published")
    draft = screening.scorecard_copy(version=published, actor=staff["rosa"])
    draft.admission_threshold = published.admission_threshold + 5
    draft.notes = "Stricter after the 2026 losses"
    draft.save(update_fields=["admission_threshold", "notes"])
    criterion = draft.criteria.get(metric="debt_ratio")
    old_weight = criterion.weight
    criterion.weight = old_weight + Decimal("2")
    criterion.save(update_fields=["weight"])
    with django_capture_on_commit_callbacks(execute=True):
        screening.scorecard_publish(version_id=draft.pk, actor=staff["ruth"])
    briefing = Briefing.objects.get()
    briefing.expected = [
        {"kind": "scorecard", "subject": "", "field": "admission_threshold",
         "old": str(published.admission_threshold), "new": str(published.admission_threshold + 5)},
        {"kind": "metric", "subject": "debt_ratio", "field": "weight", "old": str(old_weight),
         "new": str(old_weight + Decimal("2"))},
    ]
    return briefing


def test_scorecard_publication_briefs_exactly_the_affected_people_with_the_exact_changes(
        staff, django_capture_on_commit_callbacks):
    briefing = publish_with_changes(staff, django_capture_on_commit_callbacks)
    assert briefing.changes == briefing.expected
    assert (briefing.kind, briefing.changed_by, briefing.approved_by, briefing.note) == (
        "scorecard", staff["rosa"], staff["ruth"], "Stricter after the 2026 losses")
    receivers = set(BriefingReceipt.objects.filter(briefing=briefing).values_list("user__username", flat=True))
    assert receivers == {"ivan", "fay", "leo", "bea", "rick"}  # not sales, not documents, not author or publisher
    notified = set(Notification.objects.filter(url=reverse("training:briefing_detail", args=[briefing.pk]))
                   .values_list("recipient__username", flat=True))
    assert notified == receivers
    lines = rendered(briefing.changes)
    assert lines[1]["subject"] == "Debt ratio" and lines[1]["field"] == "weight"


def test_briefing_page_records_the_read_and_shows_receipts_to_risk_managers(
        staff, client, django_capture_on_commit_callbacks):
    briefing = publish_with_changes(staff, django_capture_on_commit_callbacks)
    client.force_login(staff["ivan"])
    page = client.get(f"/training/briefings/{briefing.pk}/").content.decode()
    assert "Stricter after the 2026 losses" in page and 'id="receipts"' not in page
    receipt = BriefingReceipt.objects.get(briefing=briefing, user=staff["ivan"])
    assert receipt.read_at is not None and receipt.acknowledged_at is None
    client.force_login(staff["rick"])
    page = client.get(f"/training/briefings/{briefing.pk}/").content.decode()
    assert 'id="receipts"' in page and 'data-user="ivan"' in page
    client.force_login(staff["sally"])
    assert client.get(f"/training/briefings/{briefing.pk}/").status_code == 404


def test_acknowledgement_gate_holds_the_next_gated_action_until_acknowledged(
        staff, client, settings, django_capture_on_commit_callbacks):
    settings.TRAINING_REQUIRED = False
    briefing = publish_with_changes(staff, django_capture_on_commit_callbacks)
    client.force_login(staff["rick"])
    response = client.post(f"/training/briefings/{briefing.pk}/edit/",
                           {"note": "Read before voting", "requires_acknowledgement": "on"})
    assert response.status_code == 302
    # The briefing went to approvers; fay now votes only after acknowledging. Use a gated action of hers
    # through the gate directly (the full vote path is covered in test_gates).
    from accounts import gates
    refusals = gates.refusals(staff["fay"], action="vote", role=Role.APPROVER_FINANCE)
    assert len(refusals) == 1 and f'href="/training/briefings/{briefing.pk}/"' in refusals[0]
    assert gates.refusals(staff["sally"], action="submit", role=Role.SALES) == []  # not sent to sales
    client.force_login(staff["fay"])
    client.post(f"/training/briefings/{briefing.pk}/acknowledge/")
    assert gates.refusals(staff["fay"], action="vote", role=Role.APPROVER_FINANCE) == []
    assert BriefingReceipt.objects.get(briefing=briefing, user=staff["fay"]).acknowledged_at is not None


def test_an_unacknowledged_briefing_refuses_a_transition_of_its_recipients_only(staff, settings):
    settings.TRAINING_REQUIRED = False
    from onboarding.services import application_transition
    briefing = services.briefing_send(kind="monitoring", subject="", changes=[], changed_by=staff["rosa"],
                                      requires_acknowledgement=True)
    assert set(briefing.receipts.values_list("user__username", flat=True)) == {"ruth", "rick"}
    first, second = (ApplicationFactory(created_by=staff["sally"]) for _ in range(2))
    for app in (first, second):
        upload_required_documents(app)
    application_transition(application_id=first.pk, transition="submit", actor=staff["sally"])  # not a recipient
    BriefingReceipt.objects.create(briefing=briefing, user=staff["sally"])  # now she is one
    with pytest.raises(TransitionRefused) as refused:
        application_transition(application_id=second.pk, transition="submit", actor=staff["sally"])
    assert f'href="/training/briefings/{briefing.pk}/"' in refused.value.messages[0]
    services.briefing_acknowledge(briefing=briefing, user=staff["sally"])
    application_transition(application_id=second.pk, transition="submit", actor=staff["sally"])


def test_committee_policy_change_briefs_with_old_and_new_values(staff):
    from approvals.selectors import policy_for_tier
    before = policy_for_tier("B")
    committee_policy_save(tier="B", departments=["finance", "legal", "business"], rule="unanimous",
                          veto_departments=["legal"], warning=False, actor=staff["rosa"])
    briefing = Briefing.objects.get(kind="committee_policy")
    expected = {"departments": ["finance", "legal", "business"], "rule": "unanimous", "veto_departments": ["legal"],
                "veto_silence_consents": False, "warning": False}
    assert briefing.changes == [{"kind": "tier", "subject": "B", "field": field, "old": getattr(before, field),
                                 "new": value} for field, value in expected.items() if getattr(before, field) != value]
    assert briefing.changes  # the shipped tier-B policy differs in at least one of them
    assert briefing.changed_by == staff["rosa"] and briefing.approved_by is None
    assert set(briefing.receipts.values_list("user__username", flat=True)) == {"fay", "leo", "bea", "ruth", "rick"}
    # Saving the same policy again changes nothing: no second briefing.
    committee_policy_save(tier="B", departments=["finance", "legal", "business"], rule="unanimous",
                          veto_departments=["legal"], warning=False, actor=staff["rosa"])
    assert Briefing.objects.filter(kind="committee_policy").count() == 1


def test_monitoring_cadence_change_briefs_risk_managers(staff):
    from monitoring.services import cadence_months, settings_update
    months = cadence_months()
    new = dict(months)
    new["A"] = months["A"] + 1
    settings_update(actor=staff["rosa"], cadences=new, indicators=[])
    briefing = Briefing.objects.get(kind="monitoring")
    assert briefing.changes == [{"subject": "A", "field": "cadence_months", "old": months["A"], "new": months["A"] + 1,
                                 "kind": "tier"}]
    assert set(briefing.receipts.values_list("user__username", flat=True)) == {"ruth", "rick"}


def test_a_briefing_notification_reads_in_the_readers_language_of_the_moment(staff, django_capture_on_commit_callbacks):
    from django.utils import translation

    briefing = publish_with_changes(staff, django_capture_on_commit_callbacks)
    note = Notification.objects.get(recipient=staff["fay"], url=reverse("training:briefing_detail", args=[briefing.pk]))
    number = ScorecardVersion.objects.get(status="published").number
    with translation.override("en"):
        assert note.text == f"Briefing: Scorecard published: v{number}. Please read what changed."
    with translation.override("zh-hans"):
        assert note.text == f"变更通知：评分卡已发布：v{number}。请阅读变更内容。"
