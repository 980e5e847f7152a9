"""Text that people read later, stored as a code with parameters and rendered when read.

A notification, a history entry's reason or a system note is written once and read later by
people who may read another language than the writer (or switch since). So it is stored as
``{"code": ..., "params": {...}}`` and rendered in the reader's language at reading time.

Each app registers the codes it writes (``register`` at import of the module that writes
them, so the catalogue is complete once apps are loaded). A parameter is a plain value (a
name, a reference, a number, a person's own words), another message, a choice label
(``choice``: the label is looked up when read) or a list of messages joined by ``"; "``.

Where only a short text column exists (simple-history's ``history_change_reason``, 100
characters) ``encode`` stores the message as ``MARKER + JSON`` and ``render_stored`` reads
either that or plain old text back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import pgettext

MARKER = "§m:"
Renderer = Callable[[dict], str]
_catalogue: dict[str, Promise | str | Renderer] = {}
_choices: dict[str, Any] = {}


@dataclass(frozen=True)
class Message:
    """A registered code with its parameters; ``str()`` renders it in the active language."""

    code: str
    params: dict = field(default_factory=dict)

    def as_data(self) -> dict:
        return {"code": self.code, "params": _plain(self.params)}

    def __str__(self) -> str:
        return render(self.as_data())


def register(code: str, text: Promise | str | Renderer) -> None:
    """Add a code: a lazy translated template with ``{name}`` fields, or a function of the params."""
    _catalogue[code] = text


def register_choices(key: str, choices) -> None:
    """Make a ``TextChoices``/``IntegerChoices`` class's labels readable as ``choice(key, value)``."""
    _choices[key] = choices


def message(code: str, **params: Any) -> Message:
    """A message to store; refuses unknown codes (a typo would otherwise store unreadable text)."""
    if code not in _catalogue:
        raise KeyError(f"Unknown message code {code!r}")
    return Message(code, params)


def choice(key: str, value: Any) -> dict:
    """A parameter shown as the label of ``value`` in the choices registered as ``key``."""
    if key not in _choices:
        raise KeyError(f"Unknown choices {key!r}")
    return {"choice": key, "value": value}


def joined(messages: list[Message]) -> dict:
    """A parameter shown as the messages one after the other, with the reader's list separator."""
    return {"join": [m.as_data() for m in messages]}


def _plain(value: Any) -> Any:
    """Parameters as JSON: messages become data; lazy text is refused (it would freeze)."""
    if isinstance(value, Message):
        return value.as_data()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Promise):
        raise TypeError("Pass a message code, not translated text, as a parameter: it would be frozen.")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _value(value: Any) -> str:
    if isinstance(value, dict):
        if "code" in value:
            return render(value)
        if "choice" in value:
            choices = _choices.get(value["choice"])
            labels = dict(choices.choices) if choices is not None else {}
            return str(labels.get(value.get("value"), value.get("value") or ""))
        if isinstance(value.get("join"), list):
            separator = value.get("sep") or pgettext("list separator", "; ")
            return str(separator).join(_value(part) for part in value["join"])
    if value is None:
        return ""
    return str(value)


def render(data: dict | None, default: str = "") -> str:
    """The stored message in the active language; ``default`` when there is none.

    An unknown code (a message removed since) shows its parameters rather than nothing.
    """
    if not isinstance(data, dict) or "code" not in data:
        return default
    raw = data.get("params")
    params = {key: _value(value) for key, value in (raw if isinstance(raw, dict) else {}).items()}
    text = _catalogue.get(data["code"])
    if text is None:
        return default or " ".join(params.values())
    if callable(text) and not isinstance(text, Promise):
        return str(text(raw if isinstance(raw, dict) else {}))
    try:
        return str(text).format(**params)
    except (KeyError, IndexError, ValueError):
        # A translation naming a field the message does not have: the source text is safer.
        return default or " ".join(params.values())


def encode(value: Message | str, limit: int = 100) -> str:
    """For a short text column: a message as ``MARKER + JSON``, plain text as it is (cut to ``limit``).

    A message too long for the column is stored as text in the active language: it still reads,
    frozen in one language, rather than failing the write.
    """
    if isinstance(value, Message):
        data = value.as_data()
        encoded = MARKER + json.dumps({"c": data["code"], "p": data["params"]}, ensure_ascii=False,
                                      separators=(",", ":"))
        if len(encoded) <= limit:
            return encoded
        value = str(value)
    return (value or "")[:limit]


def decode(text: str | None) -> dict | None:
    if text and text.startswith(MARKER):
        try:
            data = json.loads(text[len(MARKER):])
        except ValueError:
            return None
        if isinstance(data, dict) and "c" in data:
            return {"code": data["c"], "params": data.get("p") or {}}
    return None


def render_stored(text: str | None) -> str:
    """Text from a column that holds either ``encode``d messages or plain (older) text.

    A prefix written in front of a message (the API's "[via API client …] ") is kept as it is.
    """
    if text and MARKER in text and not text.startswith(MARKER):
        prefix, _, rest = text.partition(MARKER)
        return prefix + render_stored(MARKER + rest)
    data = decode(text)
    return render(data) if data is not None else (text or "")
