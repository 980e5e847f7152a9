"""Dates, numbers and amounts as people type them, and shown back so that the browser keeps them.

Dates: ``<input type=date>`` shows and sends only ISO dates (2024-03-01), whatever the language
of the page. Django renders a date in the active locale's first input format (zh-hans:
2024/03/01), which the browser's date field discards: a saved date looked empty and the next
save erased it. ``DateInput`` always renders ISO; ``CleanTextMixin`` also puts the ISO format on
any other ``DateInput`` of a form (filter sets, fields added in ``__init__``).

Numbers and amounts: typed in a text field (``inputmode=decimal`` brings up the digit keyboard),
because a ``type=number`` field refuses 万 and full-width digits, and Firefox then submits an
empty value without a word. ``parse_number`` accepts full-width digits (４２．５), the ideographic
full stop (42。5), thousands separators (1,234 / 1，234 / 1 234), a sign, and the Chinese
multipliers 万 (10⁴) and 亿 (10⁸), also combined (1亿2000万); a money value may carry 元, ¥, CNY or
RMB. Everything else is refused with a message, never guessed.

Text: no ``maxlength`` attribute on text fields. A browser silently cuts a pasted text at
``maxlength``; without it the server refuses an over-long text with the limit and the length in
the message (Django's MaxLengthValidator), and the user decides what to cut.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

ISO_DATE = "%Y-%m-%d"
YUAN = pgettext_lazy("money unit", "CNY")
MULTIPLIERS = {"亿": Decimal(10) ** 8, "万": Decimal(10) ** 4}
_SEPARATORS = re.compile(r"[\s,_'’]")
_PLAIN = r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+"
_WITH_UNITS = re.compile(rf"(?:(?P<yi>{_PLAIN})亿)?(?:(?P<wan>{_PLAIN})万)?(?P<rest>{_PLAIN})?")
_CURRENCY = re.compile(r"^(?:¥|CNY|RMB)|(?:元|CNY|RMB)$", re.IGNORECASE)


def normalise_number_text(text: str) -> str:
    """``text`` with full-width forms folded to ASCII, 。 as a decimal point and separators removed."""
    text = unicodedata.normalize("NFKC", text).strip()  # ４２．５ → 42.5, － → -, ， → ,
    text = text.replace("。", ".").replace("\u2212", "-")
    return _SEPARATORS.sub("", text)


def parse_number(text: str, *, money: bool = False) -> Decimal:
    """The number ``text`` means; ``ValueError`` if it is not one (see the module docstring)."""
    text = normalise_number_text(text)
    if money:
        text = _CURRENCY.sub("", text)
        text = _CURRENCY.sub("", text)  # ¥5000元
    sign = -1 if text.startswith("-") else 1
    text = text[1:] if text[:1] in "+-" else text
    match = _WITH_UNITS.fullmatch(text)
    if not text or not match or not any(match.groups()):
        raise ValueError(text)
    value = Decimal(0)
    for group, factor in (("yi", MULTIPLIERS["亿"]), ("wan", MULTIPLIERS["万"]), ("rest", Decimal(1))):
        if match.group(group):
            value += Decimal(match.group(group)) * factor
    return sign * value


def format_amount(value: Decimal) -> str:
    """``value`` with thousands separators, as shown back beside an amount: 50,000,000.00."""
    return f"{value:,.2f}"


class DateInput(forms.DateInput):
    """The browser's date field, with its value always in ISO whatever the language of the page."""

    input_type = "date"

    def __init__(self, attrs=None, format=None) -> None:  # noqa: A002 (Django's name)
        super().__init__(attrs, format=format or ISO_DATE)


class NumberInput(forms.TextInput):
    """A text field with the numeric keyboard: lets 万, full-width digits and separators through."""

    def __init__(self, attrs=None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})


class MoneyInput(NumberInput):
    """An amount with its unit beside it and, once submitted, the value as understood (= 50,000,000.00 元)."""

    template_name = "accounts/widgets/money.html"

    def __init__(self, attrs=None, unit=None) -> None:
        super().__init__(attrs)
        self.unit = unit

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["unit"] = self.unit
        context["widget"]["reading"] = self.reading(value, self.unit)
        return context

    @staticmethod
    def reading(value, unit=None) -> str:
        """The amount as understood, shown when what was typed is not already a plain small number."""
        if not isinstance(value, str) or not value.strip():
            return ""
        try:
            amount = parse_number(value, money=True)
        except (ValueError, InvalidOperation):
            return ""
        if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value.strip()) and abs(amount) < 10000:
            return ""
        text = f"{format_amount(amount)} {unit}" if unit else format_amount(amount)
        # Chinese readers also see the amount in 万 / 亿, the way they usually write it.
        if (get_language() or "").startswith("zh") and abs(amount) >= MULTIPLIERS["万"]:
            big = "亿" if abs(amount) >= MULTIPLIERS["亿"] else "万"
            text += f"（{(amount / MULTIPLIERS[big]).normalize():f}{big}）"
        return text


class LocalisedNumberMixin:
    """Reads the value with ``parse_number`` before the field's own parsing and checks."""

    money = False
    default_error_messages = {
        "invalid": _("Enter a number, e.g. 1234.5, 1,234.5, ４２．５ or 5000万."),
    }

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                value = str(parse_number(value, money=self.money))
            except (ValueError, InvalidOperation):
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return super().to_python(value)


class IntegerField(LocalisedNumberMixin, forms.IntegerField):
    widget = NumberInput
    default_error_messages = {"invalid": _("Enter a whole number, e.g. 42, ４２ or 3万.")}

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                number = parse_number(value)
            except (ValueError, InvalidOperation):
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            if number != number.to_integral_value():
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            value = str(int(number))
        return forms.IntegerField.to_python(self, value)


class DecimalField(LocalisedNumberMixin, forms.DecimalField):
    widget = NumberInput


class MoneyField(LocalisedNumberMixin, forms.DecimalField):
    """An amount in yuan (or the currency chosen beside it): unit shown, 万 / 亿 / 元 accepted."""

    money = True
    widget = MoneyInput
    default_error_messages = {"invalid": _("Enter an amount, e.g. 50000000, 50,000,000, ５０００万 or 0.5亿.")}

    def __init__(self, *args, unit=YUAN, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.widget.unit = unit


def formfield(db_field, **kwargs):
    """``Meta.formfield_callback`` of the project's model forms: the fields above for dates and numbers."""
    from django.db import models

    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("widget", DateInput)
    elif isinstance(db_field, models.DecimalField):
        kwargs.setdefault("form_class", DecimalField)
    elif isinstance(db_field, models.IntegerField) and not db_field.choices:
        kwargs.setdefault("form_class", IntegerField)
    return db_field.formfield(**kwargs)


def prepare_field(field: forms.Field) -> None:
    """What every form of the project does to its fields before they are shown or read."""
    if isinstance(field, forms.DateField) and isinstance(field.widget, forms.DateInput):
        field.widget.format = ISO_DATE
        field.widget.input_type = "date"
    if isinstance(field, forms.CharField):
        field.widget.attrs.pop("maxlength", None)
