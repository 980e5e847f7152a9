"""Drafts, publishing, immutability and maker-checker."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.roles import Role
from screening import services
from screening.enums import VersionStatus
from screening.models import Band, Criterion, ImmutableScorecard, KnockOutRule, ScorecardVersion
from screening.selectors import published_compiled, published_version
from tests.factories import user_with

pytestmark = pytest.mark.django_db


def test_default_model_is_published_by_the_system():
    version = published_version()
    assert (version.number, version.status, version.author, version.publisher) == (1, "published", None, None)
    assert version.criteria.count() == 14
    assert sum(c.weight for c in version.criteria.all()) == Decimal("100")
    assert sorted(version.knockout_rules.values_list("code", flat=True)) == [
        "bureau_score_floor", "data_coverage", "min_years_in_business", "negative_net_assets", "tax_rating",
        "watchlist_true_match",
    ]
    assert services.scorecard_problems(version) == []


def test_copy_makes_a_full_draft_authored_by_the_risk_manager(risk_manager):
    published = published_version()
    draft = services.scorecard_copy(version=published, actor=risk_manager)
    assert (draft.number, draft.status, draft.author, draft.based_on) == (2, "draft", risk_manager, published)
    assert draft.criteria.count() == 14
    assert Band.objects.filter(criterion__version=draft).count() == Band.objects.filter(
        criterion__version=published).count()
    assert draft.knockout_rules.count() == 6


def test_copy_refused_to_non_risk_manager(investigator):
    with pytest.raises(PermissionDenied):
        services.scorecard_copy(version=published_version(), actor=investigator)


def test_published_version_cannot_be_saved_or_deleted():
    version = published_version()
    version.admission_threshold = Decimal("10")
    with pytest.raises(ImmutableScorecard):
        version.save()
    with pytest.raises(ImmutableScorecard):
        version.delete()
    assert ScorecardVersion.objects.get(pk=version.pk).admission_threshold == Decimal("60")


def test_published_criteria_bands_and_rules_cannot_be_changed():
    version = published_version()
    criterion = version.criteria.first()
    criterion.weight = Decimal("99")
    with pytest.raises(ImmutableScorecard):
        criterion.save()
    band = Band.objects.filter(criterion__version=version).first()
    band.points = 1
    with pytest.raises(ImmutableScorecard):
        band.save()
    with pytest.raises(ImmutableScorecard):
        band.delete()
    with pytest.raises(ImmutableScorecard):
        Criterion(version=version, group="credit", metric="revenue", weight=1).save()
    rule = version.knockout_rules.first()
    rule.enabled = False
    with pytest.raises(ImmutableScorecard):
        rule.save()
    assert KnockOutRule.objects.filter(version=version, enabled=True).count() == 6


def test_version_cannot_be_created_published(risk_manager):
    with pytest.raises(ImmutableScorecard):
        ScorecardVersion(number=9, status=VersionStatus.PUBLISHED, admission_threshold=60, tier_a_min=85,
                         tier_b_min=70, tier_c_min=60).save()


def test_publish_by_author_is_refused(risk_manager):
    draft = services.scorecard_copy(version=published_version(), actor=risk_manager)
    with pytest.raises(PermissionDenied, match="different risk manager"):
        services.scorecard_publish(version_id=draft.pk, actor=risk_manager)
    assert ScorecardVersion.objects.get(pk=draft.pk).status == "draft"


def test_publish_by_non_risk_manager_is_refused(risk_manager):
    draft = services.scorecard_copy(version=published_version(), actor=risk_manager)
    with pytest.raises(PermissionDenied):
        services.scorecard_publish(version_id=draft.pk, actor=user_with(Role.INVESTIGATOR))


def test_publish_by_other_risk_manager_retires_previous(risk_manager, other_risk_manager):
    previous = published_version()
    draft = services.scorecard_copy(version=previous, actor=risk_manager)
    services.scorecard_publish(version_id=draft.pk, actor=other_risk_manager)
    draft.refresh_from_db()
    previous.refresh_from_db()
    assert (draft.status, draft.publisher, draft.author) == ("published", other_risk_manager, risk_manager)
    assert draft.published_at is not None
    assert (previous.status, previous.retired_at is not None) == ("retired", True)
    assert published_compiled().version_id == draft.pk
    assert ScorecardVersion.objects.filter(status="published").count() == 1


def test_publishing_twice_is_refused(risk_manager, other_risk_manager):
    draft = services.scorecard_copy(version=published_version(), actor=risk_manager)
    services.scorecard_publish(version_id=draft.pk, actor=other_risk_manager)
    with pytest.raises(ValidationError, match="Only a draft can be published"):
        services.scorecard_publish(version_id=draft.pk, actor=other_risk_manager)


def test_retired_version_cannot_be_changed(risk_manager, other_risk_manager):
    previous = published_version()
    draft = services.scorecard_copy(version=previous, actor=risk_manager)
    services.scorecard_publish(version_id=draft.pk, actor=other_risk_manager)
    previous.refresh_from_db()
    previous.status = VersionStatus.PUBLISHED
    with pytest.raises(ImmutableScorecard):
        previous.save(update_fields=["status"])


def test_database_refuses_publisher_equal_to_author(risk_manager):
    draft = services.scorecard_copy(version=published_version(), actor=risk_manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScorecardVersion.objects.filter(pk=draft.pk).update(publisher=risk_manager)


def test_database_refuses_two_published_versions(risk_manager):
    draft = services.scorecard_copy(version=published_version(), actor=risk_manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScorecardVersion.objects.filter(pk=draft.pk).update(status="published")


def test_draft_with_overlapping_bands_cannot_be_published(risk_manager, other_risk_manager):
    draft = services.scorecard_copy(version=published_version(), actor=risk_manager)
    criterion = draft.criteria.get(metric="debt_ratio")
    Band.objects.create(criterion=criterion, lower=Decimal("30"), upper=Decimal("45"), points=50)
    with pytest.raises(ValidationError) as refused:
        services.scorecard_publish(version_id=draft.pk, actor=other_risk_manager)
    assert refused.value.messages == ["Debt ratio has overlapping bands."]


def test_draft_with_gap_and_band_less_criterion_lists_each_problem(risk_manager):
    draft = services.scorecard_copy(version=published_version(), actor=risk_manager)
    Band.objects.filter(criterion__version=draft, criterion__metric="net_margin", lower=Decimal("2")).delete()
    Band.objects.filter(criterion__version=draft, criterion__metric="revenue").delete()
    assert services.scorecard_problems(draft) == [
        "Net margin has a gap between 2.0000 and 5.0000.",
        "Revenue has a weight but no bands.",
    ]


def test_only_author_deletes_draft(risk_manager, other_risk_manager):
    draft = services.scorecard_copy(version=published_version(), actor=risk_manager)
    with pytest.raises(PermissionDenied):
        services.scorecard_draft_delete(version_id=draft.pk, actor=other_risk_manager)
    services.scorecard_draft_delete(version_id=draft.pk, actor=risk_manager)
    assert not ScorecardVersion.objects.filter(pk=draft.pk).exists()
