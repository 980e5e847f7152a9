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


def _user(context):
    return context.get("user") or getattr(context.get("request"), "user", None)


def customer_cases_panel(context, customer) -> dict:
    from django.urls import reverse

    from analysis.cases import cases_visible_to

    user = _user(context)
    if user is None or not perms.can_list_cases(user):
        return {"visible": False}
    cases = list(cases_visible_to(user).filter(customer=customer)[:10])
    new_url = reverse("analysis:case_create") + f"?customer={customer.pk}" if perms.can_manage_cases(user) else ""
    return {"visible": bool(cases or new_url), "cases": cases, "new_url": new_url, "panel_id": "customer-cases"}


def application_cases_panel(context, application) -> dict:
    from django.urls import reverse

    from analysis.cases import cases_visible_to
    from onboarding.enums import State

    user = _user(context)
    if user is None or not perms.can_list_cases(user):
        return {"visible": False}
    cases = list(cases_visible_to(user).filter(application=application)[:10])
    new_url = ""
    if perms.can_manage_cases(user) and application.state == State.REJECTED:
        new_url = reverse("analysis:case_create") + f"?application={application.pk}"
    return {"visible": bool(cases or new_url), "cases": cases, "new_url": new_url, "panel_id": "application-cases"}


def version_citations_panel(context, version) -> dict:
    """The cases cited in a scorecard version's change note; on a draft, its author's picker."""
    from analysis.cases import cases_visible_to, citations_for
    from analysis.forms import CaseCiteForm
    from screening import permissions as screening_perms

    user = _user(context)
    if user is None or not perms.can_list_cases(user):
        return {"visible": False}
    cited = citations_for(user, version)
    can_cite = perms.can_manage_cases(user) and screening_perms.can_edit_draft(user, version)
    form = None
    if can_cite:
        choices = cases_visible_to(user).exclude(citations__version=version).order_by("-created_at", "-pk")[:200]
        form = CaseCiteForm(cases=choices)
    return {"visible": bool(cited or can_cite), "cited": cited, "form": form, "version": version,
            "can_cite": can_cite}
