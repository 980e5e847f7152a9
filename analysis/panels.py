"""The validation figures beside the published version's, on screening's what-if page of a draft."""

from __future__ import annotations

from analysis import permissions as perms
from analysis.validation import validate
from screening.selectors import published_version


def what_if_validation_panel(context, version) -> dict:
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if user is None or not perms.can_view_validation(user):
        return {"visible": False}
    published = published_version()
    reports = [validate(version)]
    if published is not None and published.pk != version.pk:
        reports.insert(0, validate(published))
    return {"visible": True, "version": version, "reports": reports}
