"""Who is told what at each onboarding transition: whoever must act next.

Connected to ``onboarding.services.state_changed`` in ``OnboardingConfig.ready``. The
receiver runs inside the transition's transaction: the notification rows roll back with it,
and ``accounts.services.notify`` sends e-mail only after commit.

Entering committee review is not handled here: the approvals app notifies the approvers
of the departments its policy requires (onboarding does not know the committee).
The person who took the action is never notified of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.dispatch import receiver
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from accounts.messages import Message, message, register
from accounts.models import User
from accounts.roles import Role
from accounts.services import notify
from onboarding import participation
from onboarding.messages import application_name
from onboarding.models import Application, StateChange
from onboarding.participation import Stage
from onboarding.services import state_changed

REASON_CHARS = 140


def active_users_with_role(role: Role):
    return User.objects.filter(is_active=True, groups__name=str(role)).distinct()


def _document_reviewers(application: Application, change: StateChange) -> Iterable[User]:
    # Segregation of duties: the creator never reviews their own application.
    return active_users_with_role(Role.DOCUMENT_REVIEWER).exclude(pk=application.created_by_id)


def _investigators(application: Application, change: StateChange) -> Iterable[User]:
    # Segregation of duties from the record: nobody who created it or worked on its documents.
    candidates = active_users_with_role(Role.INVESTIGATOR).exclude(pk=application.created_by_id)
    return [user for user in candidates if participation.conflict(application, user, Stage.INVESTIGATION) is None]


def _sales_owner(application: Application, change: StateChange) -> Iterable[User]:
    return [application.created_by]


def _owner_and_workers(application: Application, change: StateChange) -> Iterable[User]:
    """The sales owner and whoever already worked on the application."""
    people = [application.created_by, application.document_reviewer, application.investigator]
    return [person for person in people if person is not None]


def _reason(change: StateChange) -> str | Message:
    """The change's reason for the message: the system's own reason as a message, a person's words as typed."""
    if change.reason_message:
        return Message(change.reason_message["code"], change.reason_message.get("params") or {})
    return Truncator(" ".join(change.reason.split())).chars(REASON_CHARS)


# transition → its message, each stored as a code and rendered when read.
TEMPLATES = {
    "submit": _("{reference} {name} is waiting for document review"),
    "resubmit": _("{reference} {name} was resubmitted and is waiting for document review"),
    "pass_documents": _("{reference} {name} is waiting for background check"),
    "return_for_information": _("{reference} {name} was returned to you for more information: {reason}"),
    "reject": _("{reference} {name} was rejected: {reason}"),
    "committee_reject": _("{reference} {name} was rejected by the committee: {reason}"),
    "approve": _("{reference} {name} was approved by the committee"),
    "withdraw": _("{reference} {name} was withdrawn by its sales owner"),
}
for _transition, _template in TEMPLATES.items():
    register(f"onboarding.transition.{_transition}", _template)


def _message(transition: str, application: Application, change: StateChange) -> Message:
    """The message for ``transition``, stored as a code so that each reader reads it in their language."""
    return message(
        f"onboarding.transition.{transition}",
        reference=application.reference, name=application_name(application), reason=_reason(change),
    )


# transition → who must act next (or must know the outcome).
RECIPIENTS: dict[str, Callable[[Application, StateChange], Iterable[User]]] = {
    "submit": _document_reviewers,
    "resubmit": _document_reviewers,
    "pass_documents": _investigators,
    "return_for_information": _sales_owner,
    "reject": _sales_owner,
    "committee_reject": _sales_owner,
    "approve": _sales_owner,
    "withdraw": _owner_and_workers,
}


def transition_recipients(application: Application, change: StateChange) -> list[User]:
    """The people told about ``change``; never the person who made it."""
    find = RECIPIENTS.get(change.transition)
    if find is None:
        return []
    return [user for user in find(application, change) if user.pk != change.actor_id]


@receiver(state_changed, dispatch_uid="onboarding.notifications.notify_on_transition")
def notify_on_transition(sender, application: Application, change: StateChange, **kwargs) -> None:
    recipients = transition_recipients(application, change)
    if not recipients:
        return
    notify(
        recipients=recipients,
        verb=_message(change.transition, application, change),
        url=reverse("onboarding:application_detail", args=[application.pk]),
    )
