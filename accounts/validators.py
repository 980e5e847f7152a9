"""What every piece of user input must be before any app looks at it: one rule for text, one for ids.

Text: no control characters. NUL cannot be stored by PostgreSQL at all (a query or an insert
with one fails with a database error), and the others (C0 except tab, newline and carriage
return; DEL; C1) are never typed, are invisible on a page and only arrive through a bug or an
attack. Every form of the project refuses them through ``CleanTextMixin`` (a test walks all
forms and filter sets of the project and fails on one without it).

Ids: a value from a form or a query string that names a row is parsed by ``parse_id``:
ASCII digits only (``"²".isdigit()`` is true, yet ``int("²")`` raises) and within a 64-bit
primary key, else ``None`` — never an exception.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from accounts.inputs import prepare_field

# C0 controls except \t \n \r, DEL, and the C1 controls (what a cp1252 text read as Latin-1 leaves).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
ID_MAX = 2**63 - 1
_ID = re.compile(r"[0-9]{1,19}")


def control_character(value: str) -> str | None:
    """The first control character of ``value`` (as U+XXXX), or None."""
    match = CONTROL_CHARACTERS.search(value)
    return f"U+{ord(match.group()):04X}" if match else None


@deconstructible
class ControlCharacterValidator:
    message = _("This text contains a control character (%(character)s), which cannot be stored. "
                "Remove it and try again.")
    code = "control_character"

    def __call__(self, value) -> None:
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            character = control_character(item) if isinstance(item, str) else None
            if character:
                raise ValidationError(self.message, code=self.code, params={"character": character})

    def __eq__(self, other) -> bool:
        return isinstance(other, ControlCharacterValidator)


validate_no_control_characters = ControlCharacterValidator()


def parse_id(value) -> int | None:
    """``value`` as a row id (a positive 64-bit integer written in ASCII digits), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _ID.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= ID_MAX else None


class CleanTextMixin:
    """Every text field of the form refuses control characters (one message, in the user's language).

    Installed on the form's fields just before validation, so fields that a subclass adds or
    changes in ``__init__`` are covered too. It replaces Django's own NUL check on those fields,
    which would otherwise add a second, different message for the same character.
    """

    def __getitem__(self, name):
        # Every bound field (shown or validated) goes through here, also fields added in __init__:
        # ISO dates for the browser's date field, no silent cut at maxlength (accounts.inputs).
        field = self.fields.get(name)
        if field is not None:
            prepare_field(field)
        return super().__getitem__(name)

    def full_clean(self) -> None:
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and validate_no_control_characters not in field.validators:
                field.validators = [
                    v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
                ] + [validate_no_control_characters]
        super().full_clean()


class CleanTextForm(CleanTextMixin, forms.Form):
    """The form class of the project's filter sets (``Meta.form``)."""
