"""Segregation of duties judged from the record: who did what on an application.

An application passes through stages in a fixed order (the application itself, its
documents, its investigation, the committee). Whoever did anything at one stage takes no
part in a later one: the creator reviews no document, nobody who reviewed any document
(any version) or took a document-review action investigates it, and nobody who did any of
these, wrote an investigation record or dispositioned a watchlist hit votes on it.

Each app reports the acts it records through a provider registered for its stage
(onboarding here for the application and its documents; screening for investigation
records and evaluations; watchlists for hit dispositions), so that the rule holds for acts
of apps onboarding cannot import. The record is read, not the last transition: a person
who accepted every document while a colleague clicked "pass" is still a document reviewer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from onboarding.models import Application


class Stage(IntEnum):
    APPLICATION = 0
    DOCUMENTS = 1
    INVESTIGATION = 2
    COMMITTEE = 3


# What a person did, as the reader is told it; ``Refusal`` completes the sentence.
ACTS = {
    "created": _("You created this application"),
    "reviewed_documents": _("You reviewed the documents of this application"),
    "investigated": _("You investigated this application"),
    "dispositioned_hit": _("You dispositioned a watchlist hit of this application"),
}


@dataclass(frozen=True)
class Act:
    stage: Stage
    kind: str  # a key of ACTS


# A provider answers: on which of these applications did this user do its act? Either with the
# set of application ids (one query of its own), or with the unevaluated queries that find them,
# as ``(queryset, "application id field")`` pairs: ``prime`` sends the queries of every provider
# as one ``UNION ALL`` (a page asks once, not once per provider and model).
Query = tuple["QuerySet", str]
Provider = Callable[[int, list[int]], "set[int] | list[Query]"]
_providers: list[tuple[Stage, str, Provider]] = []


def register(stage: Stage, kind: str, provider: Provider) -> None:
    """Report one kind of act of ``stage`` (called from ``AppConfig.ready``); ``kind`` is a key of ACTS."""
    if (stage, kind, provider) not in _providers:
        _providers.append((stage, kind, provider))


def _memo(application: Application) -> dict:
    return application.__dict__.setdefault("_acts_before", {})


def prime(applications: Iterable[Application], user_id: int, stage: Stage) -> None:
    """Answer ``acts_before`` for many applications with one query per provider (list pages)."""
    applications = [a for a in applications if (user_id, int(stage)) not in _memo(a)]
    if not applications:
        return
    from django.db.models import IntegerField, Value

    ids = [a.pk for a in applications]
    found: dict[int, list[Act]] = {pk: [] for pk in ids}
    acts = [Act(provider_stage, kind) for provider_stage, kind, _ in sorted(_providers, key=lambda item: item[0])]
    done: list[tuple[int, int]] = []  # (application id, index of the act)
    queries = []
    for index, (provider_stage, _kind, provider) in enumerate(sorted(_providers, key=lambda item: item[0])):
        if provider_stage < stage:
            answer = provider(user_id, ids)
            if isinstance(answer, list):
                queries += [qs.order_by().values_list(field, Value(index, output_field=IntegerField()))
                            for qs, field in answer]
            else:
                done += [(pk, index) for pk in answer]
    if queries:
        first, *rest = queries
        done += list(first.union(*rest, all=True)) if rest else list(first)
    for pk, index in sorted(done, key=lambda item: item[1]):  # earliest stage first, as registered
        if pk in found and acts[index] not in found[pk]:
            found[pk].append(acts[index])
    for application in applications:
        _memo(application)[(user_id, int(stage))] = found[application.pk]


def acts_before(application: Application, user_id: int, stage: Stage) -> list[Act]:
    """The acts ``user_id`` did on ``application`` at stages earlier than ``stage``, earliest first.

    Memoised on the instance for the request or transaction that loaded it: a page asks
    once per button, the answer cannot change while the caller holds the row.
    """
    prime([application], user_id, stage)
    return _memo(application)[(user_id, int(stage))]


def refusal(act: Act, *, vote: bool = False) -> str:
    """The sentence shown to a person the act keeps from the stage at hand."""
    if vote:
        return str(_("%(act)s: you cannot vote on it.") % {"act": ACTS[act.kind]})
    return str(_("%(act)s: segregation of duties keeps you from this stage.") % {"act": ACTS[act.kind]})


def conflict(application: Application, user, stage: Stage) -> str | None:
    """Why segregation of duties keeps ``user`` from ``stage`` of ``application``, or ``None``."""
    if user is None or not user.is_authenticated:
        return None
    acts = acts_before(application, user.pk, stage)
    return refusal(acts[0], vote=stage == Stage.COMMITTEE) if acts else None


# --- Onboarding's own acts ---

def _created(user_id: int, ids: list[int]) -> list[Query]:
    from onboarding.models import Application

    return [(Application.objects.filter(pk__in=ids, created_by_id=user_id), "pk")]


def _reviewed_documents(user_id: int, ids: list[int]) -> list[Query]:
    from onboarding.models import Document

    # Any version, any decision, also one later overwritten: the document's history keeps them all.
    return [(Document.history.filter(application_id__in=ids, reviewed_by_id=user_id), "application_id")]


def _took_transition_from(state: str) -> Provider:
    def provider(user_id: int, ids: list[int]) -> list[Query]:
        from onboarding.models import StateChange

        return [(StateChange.objects.filter(application_id__in=ids, from_state=state, actor_id=user_id)
                 .exclude(transition="withdraw"), "application_id")]

    provider.__name__ = f"took_transition_from_{state}"
    return provider


_from_document_review = _took_transition_from("document_review")
_from_background_check = _took_transition_from("background_check")

register(Stage.APPLICATION, "created", _created)
register(Stage.DOCUMENTS, "reviewed_documents", _reviewed_documents)
register(Stage.DOCUMENTS, "reviewed_documents", _from_document_review)
register(Stage.INVESTIGATION, "investigated", _from_background_check)
