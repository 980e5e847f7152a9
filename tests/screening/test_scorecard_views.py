"""Scorecard management screens for risk managers: list, copy, edit, bands, what-if, publish, policy."""

from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse

from screening import services
from screening.models import Band, InvestigationPolicy, ScorecardVersion
from screening.scoring import evaluate
from screening.selectors import published_compiled, published_version, what_if
from tests.factories import ApplicationFactory
from tests.screening.conftest import FACTORY_INPUTS

pytestmark = pytest.mark.django_db


def _draft(author):
    return services.scorecard_copy(version=published_version(), actor=author)


def _edit_data(version, **changes):
    """The edit form as the page posts it, with ``changes`` applied."""
    data = {
        "admission_threshold": str(version.admission_threshold), "tier_a_min": str(version.tier_a_min),
        "tier_b_min": str(version.tier_b_min), "tier_c_min": str(version.tier_c_min), "notes": version.notes,
    }
    criteria = list(version.criteria.order_by("ordering", "pk"))
    data.update({"criteria-TOTAL_FORMS": str(len(criteria)), "criteria-INITIAL_FORMS": str(len(criteria)),
                 "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "1000"})
    for i, criterion in enumerate(criteria):
        data.update({f"criteria-{i}-id": str(criterion.pk), f"criteria-{i}-label": criterion.label,
                     f"criteria-{i}-weight": str(criterion.weight), f"criteria-{i}-ordering": str(criterion.ordering)})
    rules = list(version.knockout_rules.order_by("pk"))
    data.update({"rules-TOTAL_FORMS": str(len(rules)), "rules-INITIAL_FORMS": str(len(rules)),
                 "rules-MIN_NUM_FORMS": "0", "rules-MAX_NUM_FORMS": "1000"})
    for i, rule in enumerate(rules):
        value = next(iter(rule.parameters.values()), "")
        data.update({f"rules-{i}-id": str(rule.pk), f"rules-{i}-enabled": "on",
                     f"rules-{i}-value": ", ".join(value) if isinstance(value, list) else str(value)})
    data.update(changes)
    return data


# --- The list ---

def test_list_shows_versions_to_risk_manager(client, risk_manager):
    client.force_login(risk_manager)
    response = client.get(reverse("screening:scorecard_list"))
    assert response.status_code == 200
    assert [v.number for v in response.context["versions"]] == [1]


@pytest.mark.parametrize("who", ["investigator", "sales", "reviewer"])
def test_scorecard_pages_refused_to_other_roles(client, request, who):
    client.force_login(request.getfixturevalue(who))
    version = published_version()
    assert client.get(reverse("screening:scorecard_list")).status_code == 403
    assert client.get(reverse("screening:scorecard_detail", args=[version.pk])).status_code == 403
    assert client.post(reverse("screening:scorecard_copy", args=[version.pk])).status_code == 403
    assert client.get(reverse("screening:policy_edit")).status_code == 403
    assert ScorecardVersion.objects.count() == 1


def test_list_requires_login(client):
    response = client.get(reverse("screening:scorecard_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_list_query_count_does_not_grow_with_versions(client, risk_manager, other_risk_manager):
    client.force_login(risk_manager)
    url = reverse("screening:scorecard_list")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    draft = _draft(risk_manager)
    services.scorecard_publish(version_id=draft.pk, actor=other_risk_manager)
    _draft(other_risk_manager)
    with CaptureQueriesContext(connection) as three:
        response = client.get(url)
    assert [v.number for v in response.context["versions"]] == [3, 2, 1]
    assert len(three) == len(one)


# --- Copy, edit, bands ---

def test_copy_is_post_only_and_opens_the_draft(client, risk_manager):
    client.force_login(risk_manager)
    url = reverse("screening:scorecard_copy", args=[published_version().pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    draft = ScorecardVersion.objects.get(status="draft")
    assert response["Location"] == reverse("screening:scorecard_edit", args=[draft.pk])
    assert draft.author == risk_manager


def test_author_edits_thresholds_weights_and_knockout_parameters(client, risk_manager):
    draft = _draft(risk_manager)
    debt = draft.criteria.get(metric="debt_ratio")
    index = list(draft.criteria.order_by("ordering", "pk")).index(debt)
    rules = list(draft.knockout_rules.order_by("pk"))
    floor = [r.code for r in rules].index("bureau_score_floor")
    tax = [r.code for r in rules].index("tax_rating")
    client.force_login(risk_manager)
    response = client.post(reverse("screening:scorecard_edit", args=[draft.pk]), _edit_data(
        draft, tier_a_min="88", **{f"criteria-{index}-weight": "12.5", f"rules-{floor}-value": "550",
                                   f"rules-{tax}-value": "c, d"},
    ))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.tier_a_min == Decimal("88")
    assert draft.criteria.get(metric="debt_ratio").weight == Decimal("12.5")
    assert draft.knockout_rules.get(code="bureau_score_floor").parameters == {"floor": 550}
    assert draft.knockout_rules.get(code="tax_rating").parameters == {"ratings": ["C", "D"]}


def test_edit_refuses_unordered_tiers_and_bad_parameters(client, risk_manager):
    draft = _draft(risk_manager)
    rules = [r.code for r in draft.knockout_rules.order_by("pk")]
    client.force_login(risk_manager)
    response = client.post(reverse("screening:scorecard_edit", args=[draft.pk]), _edit_data(
        draft, tier_b_min="90", **{f"rules-{rules.index('tax_rating')}-value": "Z"},
    ))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["Tier thresholds must go down from A to C (A ≥ B ≥ C)."]
    assert response.context["knockouts"].errors[rules.index("tax_rating")] == {
        "value": ["Give tax ratings from: A, B, M, C, D."],
    }
    draft.refresh_from_db()
    assert draft.tier_b_min == Decimal("70")


def test_other_risk_manager_cannot_edit_a_draft(client, risk_manager, other_risk_manager):
    draft = _draft(risk_manager)
    client.force_login(other_risk_manager)
    response = client.post(reverse("screening:scorecard_edit", args=[draft.pk]), _edit_data(draft, tier_a_min="99"))
    assert response["Location"] == reverse("screening:scorecard_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.tier_a_min == Decimal("85")


def test_published_version_edit_page_redirects_without_change(client, risk_manager):
    version = published_version()
    client.force_login(risk_manager)
    response = client.post(reverse("screening:scorecard_edit", args=[version.pk]), _edit_data(version, tier_a_min="1"))
    assert response.status_code == 302
    assert ScorecardVersion.objects.get(pk=version.pk).tier_a_min == Decimal("85")


def test_author_edits_bands(client, risk_manager):
    draft = _draft(risk_manager)
    criterion = draft.criteria.get(metric="litigation_count")
    bands = list(criterion.bands.order_by(F("lower").asc(nulls_first=True)))
    data = {"bands-TOTAL_FORMS": str(len(bands) + 1), "bands-INITIAL_FORMS": str(len(bands)),
            "bands-MIN_NUM_FORMS": "0", "bands-MAX_NUM_FORMS": "1000"}
    for i, band in enumerate(bands):
        data.update({f"bands-{i}-id": str(band.pk), f"bands-{i}-lower": "" if band.lower is None else str(band.lower),
                     f"bands-{i}-upper": "" if band.upper is None else str(band.upper),
                     f"bands-{i}-points": str(band.points)})
    data[f"bands-{len(bands) - 1}-DELETE"] = "on"  # [6, ∞) → 0 is replaced by [6, 10) and [10, ∞) below
    data[f"bands-{len(bands) - 2}-points"] = "25"
    data.update({f"bands-{len(bands)}-lower": "6", f"bands-{len(bands)}-upper": "", f"bands-{len(bands)}-points": "5"})
    client.force_login(risk_manager)
    response = client.post(reverse("screening:criterion_bands", args=[criterion.pk]), data)
    assert response.status_code == 302
    ordered = criterion.bands.order_by(F("lower").asc(nulls_first=True))
    assert [(b.lower, b.upper, b.points) for b in ordered] == [
        (None, Decimal("1"), 100), (Decimal("1"), Decimal("2"), 80), (Decimal("2"), Decimal("4"), 50),
        (Decimal("4"), Decimal("6"), 25), (Decimal("6"), None, 5),
    ]
    assert services.scorecard_problems(draft) == []


def test_bands_of_published_version_cannot_be_edited(client, risk_manager):
    criterion = published_version().criteria.get(metric="litigation_count")
    client.force_login(risk_manager)
    response = client.post(reverse("screening:criterion_bands", args=[criterion.pk]), {})
    assert response.status_code == 302
    assert criterion.bands.count() == 5


# --- Publish ---

def test_publish_by_other_risk_manager_through_the_page(client, risk_manager, other_risk_manager):
    draft = _draft(risk_manager)
    client.force_login(other_risk_manager)
    url = reverse("screening:scorecard_publish", args=[draft.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Version 2 is published; the previous version is retired.",
    ]
    assert published_version() == draft
    assert ScorecardVersion.objects.get(number=1).status == "retired"


def test_publish_by_author_through_the_page_is_refused(client, risk_manager):
    draft = _draft(risk_manager)
    client.force_login(risk_manager)
    response = client.post(reverse("screening:scorecard_publish", args=[draft.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "A different risk manager must publish this draft (maker-checker).",
    ]
    assert published_version().number == 1


# --- What-if ---

def _evaluated(inputs, application=None):
    application = application or ApplicationFactory()
    compiled = published_compiled()
    services.evaluation_build(compiled=compiled, inputs=inputs, result=evaluate(compiled, inputs),
                              application=application).save()
    return application


def _three_applications():
    """86.3 (A), 85.1 (A: tax B loses 6×20/100) and 48.25 (D, the weak company of test_scoring)."""
    strong = _evaluated(dict(FACTORY_INPUTS))
    borderline = _evaluated({**FACTORY_INPUTS, "tax_rating": "B"})
    weak = _evaluated({
        **FACTORY_INPUTS, "total_assets": 100.0, "total_liabilities": 75.0, "current_assets": 55.0,
        "current_liabilities": 50.0, "revenue": 15_000_000.0, "net_profit": 150_000.0, "operating_cash_flow": 2.5,
        "registration_date": "2022-06-01", "registered_capital": 3_000_000.0, "industry_risk_class": 3,
        "top_customer_share": 65.0, "market_position": "average", "bureau_score": 640, "overdue_count_24m": 1,
        "litigation_count": 2, "tax_rating": "B",
    })
    return strong, borderline, weak


def test_what_if_counts_tier_changes_each_way(risk_manager):
    strong, borderline, weak = _three_applications()
    # An older evaluation of the weak one does not count twice: only each application's latest.
    _evaluated(dict(FACTORY_INPUTS), application=weak)
    _evaluated({**FACTORY_INPUTS, "bureau_score": 450}, application=weak)
    draft = _draft(risk_manager)
    ScorecardVersion.objects.filter(pk=draft.pk).update(tier_a_min=86, tier_c_min=Decimal("45"))
    draft.refresh_from_db()
    report = what_if(draft)
    assert (report.count, report.up, report.down, report.same, report.baseline_number) == (3, 0, 1, 2, 1)
    # weak's latest inputs: bureau 450 → knocked out, D under both models.
    assert report.matrix == [("A", [1, 1, 0, 0]), ("B", [0, 0, 0, 0]), ("C", [0, 0, 0, 0]), ("D", [0, 0, 0, 1])]
    assert [(r.application_id, r.old_tier, r.new_tier, r.old_total, r.new_total) for r in report.changed] == [
        (borderline.pk, "A", "B", 85.1, 85.1),
    ]


def test_what_if_moves_a_weak_company_up_when_tier_c_is_lowered(risk_manager):
    strong, borderline, weak = _three_applications()
    draft = _draft(risk_manager)
    ScorecardVersion.objects.filter(pk=draft.pk).update(tier_c_min=Decimal("45"))
    draft.refresh_from_db()
    report = what_if(draft)
    assert (report.count, report.up, report.down, report.same) == (3, 1, 0, 2)
    assert report.matrix == [("A", [2, 0, 0, 0]), ("B", [0, 0, 0, 0]), ("C", [0, 0, 0, 0]), ("D", [0, 0, 1, 0])]
    assert [(r.application_id, r.old_tier, r.new_tier) for r in report.changed] == [(weak.pk, "D", "C")]


def test_what_if_takes_only_the_last_n(risk_manager):
    _three_applications()
    report = what_if(_draft(risk_manager), limit=2)
    assert report.count == 2


def test_what_if_page_shows_the_matrix(client, risk_manager, other_risk_manager):
    _three_applications()
    draft = _draft(risk_manager)
    client.force_login(other_risk_manager)
    response = client.get(reverse("screening:scorecard_what_if", args=[draft.pk]))
    assert response.status_code == 200
    assert 'id="what-if-same">3<' in response.content.decode()


def test_what_if_page_query_count_does_not_grow_with_applications(client, risk_manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    draft = _draft(risk_manager)
    client.force_login(risk_manager)
    url = reverse("screening:scorecard_what_if", args=[draft.pk])
    _evaluated(dict(FACTORY_INPUTS))
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _three_applications()
    with CaptureQueriesContext(connection) as four:
        response = client.get(url)
    assert response.context["report"].count == 4
    assert len(four) == len(one)


# --- Investigation policy ---

def test_risk_manager_edits_the_investigation_policy(client, risk_manager):
    client.force_login(risk_manager)
    response = client.post(reverse("screening:policy_edit"), {
        "interview_always": "on", "site_visit_tiers": ["B", "C", "D"], "site_visit_limit_above": "500000",
        "report_tiers": ["D"], "report_limit_above": "",
    })
    assert response.status_code == 302
    policy = InvestigationPolicy.objects.get()
    assert (policy.site_visit_tiers, policy.site_visit_limit_above, policy.report_limit_above, policy.updated_by) == (
        ["B", "C", "D"], Decimal("500000"), None, risk_manager,
    )
    assert policy.history.count() == 1


def test_policy_refuses_negative_limit(client, risk_manager):
    client.force_login(risk_manager)
    response = client.post(reverse("screening:policy_edit"), {"site_visit_limit_above": "-1"})
    assert response.status_code == 400
    assert InvestigationPolicy.objects.get().site_visit_limit_above == Decimal("1000000")


def test_band_points_over_100_are_refused_by_the_database(risk_manager):
    from django.db import IntegrityError, transaction

    draft = _draft(risk_manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        Band.objects.create(criterion=draft.criteria.first(), lower=Decimal("1000"), points=101)


def test_draft_pages_render_for_author(client, risk_manager):
    draft = _draft(risk_manager)
    client.force_login(risk_manager)
    detail = client.get(reverse("screening:scorecard_detail", args=[draft.pk]))
    assert (detail.status_code, detail.context["can_edit"], detail.context["can_publish"]) == (200, True, False)
    assert "You wrote this draft: a different risk manager must check and publish it (maker-checker)." in (
        detail.content.decode()
    )
    edit = client.get(reverse("screening:scorecard_edit", args=[draft.pk]))
    assert edit.status_code == 200
    assert len(edit.context["criteria"].forms) == 14 and len(edit.context["knockouts"].forms) == 6
    criterion = draft.criteria.get(metric="tax_rating")
    bands = client.get(reverse("screening:criterion_bands", args=[criterion.pk]))
    assert bands.status_code == 200
    assert list(bands.context["bands"].forms[0].fields) == ["category", "points", "id", "DELETE", "criterion"]


def test_published_version_page_offers_only_copy(client, risk_manager):
    client.force_login(risk_manager)
    response = client.get(reverse("screening:scorecard_detail", args=[published_version().pk]))
    assert (response.context["can_edit"], response.context["can_publish"], response.context["problems"]) == (
        False, False, [],
    )
    body = response.content.decode()
    assert "Copy to a draft" in body and "Publish" not in body.replace("Published", "")


@pytest.mark.parametrize("initial", ["0", "2000"])
def test_a_crafted_form_count_adds_no_criteria_or_rules(client, risk_manager, initial):
    """TOTAL_FORMS/INITIAL_FORMS are the client's: extra rows are ignored, none is created."""
    draft = _draft(risk_manager)
    before = (draft.criteria.count(), draft.knockout_rules.count())
    data = _edit_data(draft, tier_a_min="88")
    data.update({"criteria-TOTAL_FORMS": "2000", "criteria-INITIAL_FORMS": initial,
                 "rules-TOTAL_FORMS": "2000", "rules-INITIAL_FORMS": initial,
                 f"criteria-{before[0]}-label": "Injected", f"criteria-{before[0]}-weight": "1",
                 f"criteria-{before[0]}-ordering": "99"})
    client.force_login(risk_manager)
    response = client.post(reverse("screening:scorecard_edit", args=[draft.pk]), data)
    assert response.status_code == 302
    assert (draft.criteria.count(), draft.knockout_rules.count()) == before
    assert not draft.criteria.filter(label="Injected").exists()
    assert ScorecardVersion.objects.get(pk=draft.pk).tier_a_min == Decimal("88")


def test_more_bands_than_the_cap_is_a_form_error(client, risk_manager):
    from screening.forms import BAND_MAX

    criterion = _draft(risk_manager).criteria.get(metric="litigation_count")
    count = criterion.bands.count()
    data = {"bands-TOTAL_FORMS": str(BAND_MAX + 1), "bands-INITIAL_FORMS": "0",
            "bands-MIN_NUM_FORMS": "0", "bands-MAX_NUM_FORMS": "1000"}
    for i in range(BAND_MAX + 1):
        data.update({f"bands-{i}-lower": str(i), f"bands-{i}-upper": str(i + 1), f"bands-{i}-points": "1"})
    client.force_login(risk_manager)
    response = client.post(reverse("screening:criterion_bands", args=[criterion.pk]), data)
    assert response.status_code in (200, 400)
    assert "Please submit at most 30 forms." in response.content.decode()
    assert criterion.bands.count() == count
