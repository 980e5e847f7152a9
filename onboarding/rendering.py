"""Rendered filter forms, remembered per process.

A list page's filter form costs more to render than its rows: every widget goes through the
form renderer's templates, a select through one template per option. The HTML depends only on
the form's class, the submitted filter values and the language, so each worker renders a
combination once and then reuses it (the most recent few hundred are kept).
"""

from __future__ import annotations

from collections import OrderedDict

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

KEPT = 256
_rendered: OrderedDict[tuple, SafeString] = OrderedDict()


def filter_fields(form) -> SafeString:
    """The labelled widgets of a filter form (``partials/filter_fields.html``)."""
    data = form.data.copy() if form.is_bound else None
    if data is not None:
        for key in ("page", "after", "before"):
            data.pop(key, None)
    key = (type(form).__module__, type(form).__qualname__, get_language(), data.urlencode() if data else "")
    html = _rendered.get(key)
    if html is None:
        html = render_to_string("partials/filter_fields.html", {"form": form})
        _rendered[key] = html
        if len(_rendered) > KEPT:
            _rendered.popitem(last=False)
    else:
        _rendered.move_to_end(key)
    return html
