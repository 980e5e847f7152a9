"""What a browser sends back when a user opens a form and submits it without touching anything.

Follows the HTML rules that matter for a round trip: a control's value is what its ``value``
attribute (or a textarea's text, a select's selected option) says, after the value sanitisation
of its type: a date field keeps only an ISO date (yyyy-mm-dd) and a number field only a valid
floating-point number, anything else becomes empty. That is how a localised date (2024/03/01)
or a full-width number was lost by the browser before the server ever saw it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SANITISE = {
    "date": re.compile(r"[0-9]{4,}-[0-9]{2}-[0-9]{2}"),
    "number": re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"),
}
_SKIPPED_TYPES = {"submit", "button", "reset", "file", "image"}


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._form: list[tuple[str, str]] | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = []
            self.forms.append(self._form)
        if self._form is None or ("disabled" in a and tag in ("input", "select", "textarea")):
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in _SKIPPED_TYPES:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.append((a["name"], a.get("value", "on")))
                return
            value = a.get("value", "")
            pattern = _SANITISE.get(kind)
            if pattern and not pattern.fullmatch(value):
                value = ""
            self._form.append((a["name"], value))
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "multiple": "multiple" in a, "selected": [], "first": None}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "text": ""}

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            option, self._option = self._option, None
            value = option["value"] if option["value"] is not None else option["text"].strip()
            if self._select["first"] is None:
                self._select["first"] = value
            if option["selected"]:
                self._select["selected"].append(value)
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            chosen = select["selected"] if select["multiple"] else (select["selected"][-1:] or [select["first"]])
            self._form.extend((select["name"], v) for v in chosen if v is not None)
        elif tag == "textarea" and self._textarea is not None:
            area, self._textarea = self._textarea, None
            # The HTML parser drops the newline right after <textarea>; so does the browser.
            text = area["text"][1:] if area["text"].startswith("\n") else area["text"]
            self._form.append((area["name"], text))
        elif tag == "form":
            self._form = None


def controls(html: str, *, containing: str | None = None) -> list[tuple[str, str]]:
    """The (name, value) pairs the form would submit: the one with a control named ``containing``,
    or all controls of the page (a form rendered without a <form> tag)."""
    reader = _FormReader()
    if containing is None:
        html = f"<form>{html}</form>"
    reader.feed(html)
    if containing is None:
        return reader.forms[0]
    for form in reader.forms:
        if any(name == containing for name, _value in form):
            return form
    raise AssertionError(f"no form with a control named {containing!r}")


def as_post(pairs: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    """The pairs as a dict for the test client (a name sent several times becomes a list)."""
    data: dict[str, str | list[str]] = {}
    for name, value in pairs:
        if name in data:
            data[name] = [*(data[name] if isinstance(data[name], list) else [data[name]]), value]
        else:
            data[name] = value
    return data
