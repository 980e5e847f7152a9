"""Bad input to the scorecard screens: a form error, never a 500."""

import pytest
from django.urls import reverse

from screening.models import KnockOutRule
from tests.screening.test_scorecard_views import _draft, _edit_data

pytestmark = pytest.mark.django_db

CONTROL = "This text contains a control character (U+0000), which cannot be stored. Remove it and try again."


@pytest.mark.parametrize(("code", "value"), [
    ("bureau_score_floor", "1e999999999999"), ("min_years_in_business", "1e5000"), ("bureau_score_floor", "1001"),
    ("min_years_in_business", "101"), ("data_coverage", "100.5"),
])
def test_knockout_parameter_out_of_range_is_a_form_error(client, risk_manager, code, value):
    draft = _draft(risk_manager)
    rules = [r.code for r in draft.knockout_rules.order_by("pk")]
    before = dict(draft.knockout_rules.values_list("code", "parameters"))
    client.force_login(risk_manager)
    response = client.post(reverse("screening:scorecard_edit", args=[draft.pk]),
                           _edit_data(draft, **{f"rules-{rules.index(code)}-value": value}))
    assert response.status_code == 400
    assert response.context["knockouts"].errors[rules.index(code)] == {"value": ["Enter a number within range."]}
    assert dict(KnockOutRule.objects.filter(version=draft).values_list("code", "parameters")) == before


def test_nul_in_the_draft_notes_is_a_form_error(client, risk_manager):
    draft = _draft(risk_manager)
    client.force_login(risk_manager)
    response = client.post(reverse("screening:scorecard_edit", args=[draft.pk]), _edit_data(draft, notes="a\x00b"))
    assert response.status_code == 400
    assert response.context["form"].errors["notes"] == [CONTROL]
