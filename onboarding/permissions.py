"""Who may see and do what with an application. The one place these rules live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.roles import APPROVER_ROLES, Role
from onboarding import participation
from onboarding.enums import State
from onboarding.participation import Stage

if TYPE_CHECKING:
    from accounts.models import User
    from onboarding.models import Application

STAFF_ROLES = (Role.DOCUMENT_REVIEWER, Role.INVESTIGATOR, *APPROVER_ROLES, Role.RISK_MANAGER, Role.ADMIN)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_sales_owner(application: Application, user: User | None) -> bool:
    return _signed_in(user) and user.has_role(Role.SALES) and application.created_by_id == user.pk


def is_stage_reviewer(application: Application, user: User | None) -> bool:
    """The person who may act on the application in its current review stage.

    Segregation of duties, from the record (``onboarding.participation``): never its creator;
    in background check nobody who reviewed any of its documents or took a document-review
    action. Committee-stage moves are taken by the committee rule only.
    """
    if not _signed_in(user):
        return False
    if application.state == State.DOCUMENT_REVIEW:
        return user.has_role(Role.DOCUMENT_REVIEWER) and stage_conflict(application, user) is None
    if application.state == State.BACKGROUND_CHECK:
        return user.has_role(Role.INVESTIGATOR) and stage_conflict(application, user) is None
    return False


STAGE_OF_STATE = {State.DOCUMENT_REVIEW: Stage.DOCUMENTS, State.BACKGROUND_CHECK: Stage.INVESTIGATION,
                  State.COMMITTEE_REVIEW: Stage.COMMITTEE}


def stage_conflict(application: Application, user: User | None) -> str | None:
    """Why segregation of duties keeps ``user`` from the application's current stage, or ``None``."""
    stage = STAGE_OF_STATE.get(application.state)
    if stage is None or not _signed_in(user):
        return None
    return participation.conflict(application, user, stage)


STAGE_ROLE = {State.DOCUMENT_REVIEW: Role.DOCUMENT_REVIEWER, State.BACKGROUND_CHECK: Role.INVESTIGATOR}


def stage_refusal(application: Application, user: User | None) -> str | None:
    """For a person who holds the current stage's role: why segregation of duties keeps them out.

    Shown on the page and in refusals, so that a reviewer or investigator knows why the
    buttons are missing; ``None`` for people the stage is not for anyway.
    """
    role = STAGE_ROLE.get(application.state)
    if role is None or not _signed_in(user) or not user.has_role(role):
        return None
    return stage_conflict(application, user)


def nobody(application: Application, user: User | None) -> bool:
    """Transitions taken by the system (the committee rule), never by a person directly."""
    return False


def can_view(user: User, application: Application) -> bool:
    if not _signed_in(user):
        return False
    return application.created_by_id == user.pk or user.has_role(*STAFF_ROLES)


def can_list_all(user: User) -> bool:
    return _signed_in(user) and user.has_role(*STAFF_ROLES)


def can_edit(user: User, application: Application) -> bool:
    return is_sales_owner(application, user) and application.state in (State.DRAFT, State.RETURNED)


def can_review_documents(user: User, application: Application) -> bool:
    return application.state == State.DOCUMENT_REVIEW and is_stage_reviewer(application, user)


def can_view_audit(user: User) -> bool:
    return _signed_in(user) and user.has_role(Role.RISK_MANAGER, Role.ADMIN)


def can_create(user: User) -> bool:
    return _signed_in(user) and user.has_role(Role.SALES)
