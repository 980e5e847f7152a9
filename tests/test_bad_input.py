"""The one rule for text and the one for ids (accounts.validators), and that every form has the rule."""

from __future__ import annotations

import gc
import importlib
import pkgutil

import django_filters
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.validators import CleanTextForm, CleanTextMixin, parse_id, validate_no_control_characters

PROJECT_APPS = ("accounts", "onboarding", "watchlists", "screening", "outcomes", "approvals", "monitoring", "analysis", "api")
MESSAGE = "This text contains a control character ({}), which cannot be stored. Remove it and try again."


def _import_project_modules() -> None:
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)


def _subclasses(cls) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def _project(classes: set[type]) -> list[type]:
    return sorted((c for c in classes if c.__module__.split(".")[0] in PROJECT_APPS), key=lambda c: c.__qualname__)


def _forms_without_the_rule() -> list[str]:
    _import_project_modules()
    missing = [f"{c.__module__}.{c.__qualname__}" for c in _project(_subclasses(forms.BaseForm))
               if not issubclass(c, CleanTextMixin)]
    missing += [f"{c.__module__}.{c.__qualname__} (Meta.form)" for c in _project(_subclasses(django_filters.FilterSet))
                if not issubclass(c._meta.form, CleanTextMixin)]
    return missing


def test_every_form_and_filter_set_of_the_project_refuses_control_characters():
    assert _forms_without_the_rule() == []


def test_the_check_finds_a_form_without_the_rule():
    lax = type("LaxForm", (forms.Form,), {"__module__": "onboarding.forms", "name": forms.CharField()})
    lax_filter = type("LaxFilter", (django_filters.FilterSet,), {"__module__": "approvals.filters"})
    try:
        assert _forms_without_the_rule() == ["onboarding.forms.LaxForm", "approvals.filters.LaxFilter (Meta.form)"]
    finally:
        del lax, lax_filter
        gc.collect()


def test_the_walk_sees_the_projects_forms():
    _import_project_modules()
    names = {c.__qualname__ for c in _project(_subclasses(forms.BaseForm))}
    assert {"CommentForm", "NoteForm", "VoteForm", "InterviewForm", "SearchForm", "PreferencesForm"} <= names


@pytest.mark.parametrize("character", [*map(chr, range(0x00, 0x09)), "\x0b", "\x0c", *map(chr, range(0x0e, 0x20)),
                                       "\x7f", *map(chr, range(0x80, 0xa0))])
def test_control_characters_are_refused(character):
    with pytest.raises(ValidationError) as refused:
        validate_no_control_characters(f"a{character}b")
    assert refused.value.messages == [MESSAGE.format(f"U+{ord(character):04X}")]


@pytest.mark.parametrize("text", ["plain", "tab\there", "lines\r\nand\nmore", "中文，全角：　空格", "emoji 🙂", "\xa0nbsp", ""])
def test_ordinary_text_passes(text):
    validate_no_control_characters(text)


def test_a_list_of_values_is_checked_item_by_item():
    validate_no_control_characters(["a", "b"])
    with pytest.raises(ValidationError):
        validate_no_control_characters(["a", "b\x00"])


class _Form(CleanTextMixin, forms.Form):
    name = forms.CharField()
    email = forms.EmailField(required=False)
    count = forms.IntegerField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["added_later"] = forms.CharField(required=False, widget=forms.Textarea)


def test_the_rule_gives_one_message_for_nul_and_covers_fields_added_in_init():
    form = _Form({"name": "x\x00y", "added_later": "\x1b[31m"})
    assert not form.is_valid()
    assert form.errors == {"name": [MESSAGE.format("U+0000")], "added_later": [MESSAGE.format("U+001B")]}


def test_the_rule_speaks_the_users_language():
    with translation.override("zh-hans"):
        form = _Form({"name": "x\x00y"})
        assert form.errors["name"] == ["此文本包含控制字符（U+0000），无法保存。请删除后重试。"]


def test_the_rule_does_not_touch_other_forms_fields():
    _Form({"name": "x\x00y"}).is_valid()
    assert validate_no_control_characters not in _Form.base_fields["name"].validators
    assert validate_no_control_characters not in forms.CharField().validators


def test_filter_set_form_class_has_the_rule():
    form = CleanTextForm({"q": "a"})
    assert isinstance(form, CleanTextMixin)


@pytest.mark.parametrize(("value", "expected"), [
    ("1", 1), ("42", 42), (" 7 ", 7), (9, 9), (str(2**63 - 1), 2**63 - 1),
    ("0", None), ("-1", None), ("+1", None), ("1.0", None), ("1e3", None), ("²", None), ("١", None),
    ("x\x00y", None), ("", None), (None, None), (True, None), (str(2**63), None), ("9" * 5000, None), (0, None),
    (["1"], None),
])
def test_parse_id(value, expected):
    assert parse_id(value) == expected


@pytest.mark.django_db
def test_unicode_digits_are_not_read_as_numbers_in_codes_and_windows(client):
    """``"²".isdigit()`` is true but ``int("²")`` raises: these paths take ASCII digits only."""
    from accounts.roles import Role
    from accounts.services import TwoFactorError, two_factor_enrol
    from tests.factories import user_with

    user = user_with()
    with pytest.raises(TwoFactorError):
        two_factor_enrol(user=user, secret="00" * 20, code="²²²²²²")
    client.force_login(user_with(Role.RISK_MANAGER))
    assert client.get("/analysis/validation/", {"window": "²"}).status_code == 200
