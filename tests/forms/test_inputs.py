"""Numbers and amounts as people type them; ISO dates in every language; no silent cut of long text."""

from __future__ import annotations

import datetime
import gc
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from accounts import inputs
from accounts.validators import CleanTextForm
from monitoring.forms import CadenceForm
from onboarding.models import Application
from tests.test_bad_input import _import_project_modules, _project, _subclasses


@pytest.mark.parametrize(("typed", "value"), [
    ("5000万", Decimal("50000000")), ("５０００万", Decimal("50000000")), ("1.5亿", Decimal("150000000")),
    ("0.5亿", Decimal("50000000")), ("1亿2000万", Decimal("120000000")), ("1亿2000万300", Decimal("120000300")),
    ("42.5", Decimal("42.5")), ("４２．５", Decimal("42.5")), ("42。5", Decimal("42.5")), ("42．5", Decimal("42.5")),
    ("1,234,567.89", Decimal("1234567.89")), ("１，２３４", Decimal("1234")), ("1 234", Decimal("1234")),
    (" 7 ", Decimal("7")), ("-150万", Decimal("-1500000")), ("－１２", Decimal("-12")), ("+3", Decimal("3")),
    (".5", Decimal("0.5")), ("¥5000元", Decimal("5000")), ("5000元", Decimal("5000")), ("CNY 800", Decimal("800")),
    ("300万元", Decimal("3000000")),
])
def test_parse_money_reads_what_people_write(typed, value):
    assert inputs.parse_number(typed, money=True) == value


@pytest.mark.parametrize("typed", ["", "万", "亿", "abc", "1.2.3", "12a", "1万2亿", "--5", "5-", "1e5", "NaN",
                                   "Infinity", "万5", "5%", "1/2", "二十"])
def test_parse_money_refuses_what_is_not_a_number(typed):
    with pytest.raises(ValueError):
        inputs.parse_number(typed, money=True)


def test_currency_words_are_accepted_only_in_money_fields():
    with pytest.raises(ValueError):
        inputs.parse_number("5000元")
    assert inputs.parse_number("3万") == Decimal("30000")


class _Form(CleanTextForm):
    amount = inputs.MoneyField(max_digits=16, decimal_places=2, required=False)
    share = inputs.DecimalField(max_digits=5, decimal_places=2, required=False)
    count = inputs.IntegerField(required=False, min_value=0)
    day = forms.DateField(required=False, widget=forms.DateInput)
    name = forms.CharField(max_length=300, required=False)


@pytest.mark.parametrize(("data", "cleaned"), [
    ({"amount": "５０００万", "share": "４２．５", "count": "１２"},
     {"amount": Decimal("50000000"), "share": Decimal("42.5"), "count": 12}),
    ({"amount": "1,500,000.50", "share": "7。25", "count": "3万"},
     {"amount": Decimal("1500000.50"), "share": Decimal("7.25"), "count": 30000}),
])
def test_fields_accept_full_width_digits_multipliers_and_separators(data, cleaned):
    form = _Form(data)
    assert form.is_valid(), form.errors
    assert {k: form.cleaned_data[k] for k in cleaned} == cleaned


@pytest.mark.parametrize(("language", "errors"), [
    ("en", {"amount": ["Enter an amount, e.g. 50000000, 50,000,000, ５０００万 or 0.5亿."],
            "share": ["Enter a number, e.g. 1234.5, 1,234.5, ４２．５ or 5000万."],
            "count": ["Enter a whole number, e.g. 42, ４２ or 3万."]}),
    ("zh-hans", {"amount": ["请输入金额，例如 50000000、50,000,000、５０００万 或 0.5亿。"],
                 "share": ["请输入数字，例如 1234.5、1,234.5、４２．５ 或 5000万。"],
                 "count": ["请输入整数，例如 42、４２ 或 3万。"]}),
])
def test_invalid_numbers_are_refused_in_the_users_language(language, errors):
    with translation.override(language):
        form = _Form({"amount": "五千万", "share": "1.2.3", "count": "1.5"})
        assert form.errors == errors


def test_an_amount_beyond_the_fields_digits_is_refused_not_rounded():
    form = _Form({"amount": "1000000亿"})
    assert form.errors == {"amount": ["Ensure that there are no more than 14 digits before the decimal point."]}


@pytest.mark.parametrize(("language", "unit", "reading"), [
    ("en", "CNY", "Read as 50,000,000.00 CNY"), ("zh-hans", "元", "识别为 50,000,000.00 元（5000万）"),
])
def test_money_field_shows_its_unit_and_the_amount_as_understood(language, unit, reading):
    with translation.override(language):
        html = str(_Form({"amount": "５０００万"})["amount"])
        assert f'<span class="input-group-text">{unit}</span>' in html
        assert reading in html
        assert 'type="text"' in html and 'inputmode="decimal"' in html
        assert "识别为" not in str(_Form({"amount": "5000"})["amount"])  # a plain small number needs no reading


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_dates_render_in_iso_for_the_browsers_date_field_in_every_language(language):
    with translation.override(language):
        html = str(_Form(initial={"day": datetime.date(2024, 3, 1)})["day"])
        assert 'type="date"' in html and 'value="2024-03-01"' in html
        form = _Form({"day": "2024-03-01"})
        assert form.is_valid() and form.cleaned_data["day"] == datetime.date(2024, 3, 1)


def test_text_fields_have_no_maxlength_for_the_browser_to_cut_at():
    assert "maxlength" not in str(_Form()["name"])


@pytest.mark.parametrize(("language", "message"), [
    ("en", "Ensure this value has at most 300 characters (it has 5600)."),
    ("zh-hans", "最多 300 个字符，现在有 5600 个，请删减。"),
])
@pytest.mark.django_db
def test_an_over_long_name_is_refused_with_the_limit_never_cut(client, sales, language, message):
    client.force_login(sales)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    data = {"legal_name_en": "A" * 5600, "save": "1", "fin-TOTAL_FORMS": "0", "fin-INITIAL_FORMS": "0",
            "contact-TOTAL_FORMS": "0", "contact-INITIAL_FORMS": "0"}
    response = client.post(reverse("onboarding:application_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"legal_name_en": [message]}
    assert Application.objects.count() == 0
    html = response.content.decode()
    assert 'value="' + "A" * 5600 + '"' in html  # what was typed is still there, whole
    assert "maxlength" not in html.split('name="legal_name_en"')[0].rsplit("<input", 1)[1]


def _unlocalised_number_fields() -> list[str]:
    _import_project_modules()
    found = []
    for form in _project(_subclasses(forms.BaseForm)):
        for name, field in getattr(form, "base_fields", {}).items():
            if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField) and not isinstance(
                field, inputs.LocalisedNumberMixin
            ) and not field.widget.is_hidden and not isinstance(field, forms.TypedChoiceField):
                found.append(f"{form.__module__}.{form.__qualname__}.{name}")
    return sorted(found)


def test_every_number_field_of_the_project_reads_full_width_digits_and_multipliers():
    assert _unlocalised_number_fields() == []
    # Fields added in __init__ are not in base_fields.
    assert all(isinstance(f, inputs.IntegerField) for f in CadenceForm().fields.values())


def test_the_number_field_check_finds_a_plain_one():
    plain = type("PlainNumberForm", (forms.Form,), {"__module__": "onboarding.forms", "n": forms.IntegerField()})
    try:
        assert _unlocalised_number_fields() == ["onboarding.forms.PlainNumberForm.n"]
    finally:
        del plain
        gc.collect()
