"""Onboarding's own guards, registered at start-up (see onboarding.guards)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from onboarding import guards, selectors
from onboarding.models import Application


def ready_to_submit(application: Application) -> list[str]:
    problems = selectors.application_missing_items(application)
    problems += selectors.documents_missing(application)
    conflicts = selectors.credit_code_conflicts(application.credit_code, exclude_application_id=application.pk)
    if application.kind == "new" and conflicts.blocking:
        if conflicts.applications:
            other = conflicts.applications[0]
            problems.append(
                _("Credit code %(code)s already belongs to open application %(ref)s (%(owner)s).")
                % {"code": application.credit_code, "ref": other.reference, "owner": other.created_by}
            )
        if conflicts.customer is not None and conflicts.customer.status != "offboarded":
            problems.append(
                _("Credit code %(code)s already belongs to admitted customer %(name)s.")
                % {"code": application.credit_code, "name": conflicts.customer.name}
            )
    return problems


def documents_accepted(application: Application) -> list[str]:
    problems = selectors.documents_unaccepted(application)
    if application.credit_code_nonstandard and application.credit_code_accepted_by_id is None:
        problems.append(_("The non-standard credit code %(code)s must be accepted by the document reviewer.")
                        % {"code": application.credit_code})
    return problems


def register() -> None:
    guards.register("submit", ready_to_submit)
    guards.register("resubmit", ready_to_submit)
    guards.register("pass_documents", documents_accepted)
