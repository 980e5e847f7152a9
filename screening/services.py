"""Writes for screening: evaluations, scorecard versions, the investigation policy and records.

Every function checks who may act and raises ``PermissionDenied`` or ``ValidationError``
with a message for the user; none changes an application's state (that is
``onboarding.services.application_transition``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import gates
from accounts.messages import encode, message, register
from accounts.models import Notification, User
from accounts.roles import Role
from accounts.services import notify
from onboarding import permissions as onboarding_perms
from onboarding.enums import State
from onboarding.models import Application, Customer
from onboarding.validators import check_upload
from screening import permissions as perms
from screening.enums import CATEGORICAL_METRICS, VersionStatus
from screening.inputs import application_inputs
from screening.models import (
    Band,
    Criterion,
    Evaluation,
    Interview,
    InvestigationPolicy,
    KnockOutRule,
    ScorecardVersion,
    SiteVisit,
    SiteVisitPhoto,
    ThirdPartyReport,
)
from screening.scoring import CompiledScorecard, EvaluationResult, evaluate
from screening.selectors import investigation_policy, published_compiled
from screening.signals import scorecard_published

PHOTO_TYPES = {"image/jpeg", "image/png"}
logger = logging.getLogger(__name__)

# Stored messages (accounts.messages), read in the reader's language.
register("screening.policy_updated", gettext_lazy("Investigation policy updated"))
register("screening.draft_awaits_publication",
         gettext_lazy("{author} asks you to check and publish scorecard draft version {number} (maker-checker)."))
DRAFT_AWAITS_PUBLICATION = "screening.draft_awaits_publication"


class NoPublishedScorecard(ValidationError):
    pass


# --- Evaluations ---

def evaluation_build(
    *, compiled: CompiledScorecard, inputs: dict, result: EvaluationResult, application: Application | None = None,
    customer: Customer | None = None, actor: User | None = None,
) -> Evaluation:
    """An unsaved Evaluation snapshot of ``result`` (monitoring bulk-creates these)."""
    return Evaluation(
        application=application, customer=customer, version_id=compiled.version_id, inputs=inputs,
        result=result.as_dict(), total=Decimal(str(result.total)), tier=result.tier,
        knockouts=[k.as_dict() for k in result.knockouts], passed=result.passed, created_by=actor,
    )


def evaluation_record_for_application(*, application: Application, actor: User | None = None) -> Evaluation:
    """Score the application's current data with the published model and store the snapshot.

    ``actor`` is who asked ("Evaluate again"); None when it runs on entering background
    check. Side effects: one Evaluation row. Raises ``NoPublishedScorecard``.
    """
    compiled = published_compiled()
    if compiled is None:
        raise NoPublishedScorecard(_("No scorecard version is published; a risk manager must publish one."))
    inputs = application_inputs(application)
    result = evaluate(compiled, inputs)
    evaluation = evaluation_build(
        compiled=compiled, inputs=inputs, result=result, application=application, customer=application.customer,
        actor=actor,
    )
    evaluation.save()
    return evaluation


def evaluation_refresh(*, application_id: int) -> Evaluation | None:
    """Evaluate an application in background check unless its latest evaluation is still good.

    "Still good" means: made with the published version, on the data as it is now. Safe to
    run twice (the Celery task on entering background check and after a watchlist
    disposition calls it). Returns the new evaluation, or None when nothing was needed.
    """
    from screening.selectors import evaluation_is_current, latest_evaluation

    application = (
        Application.objects.select_related("industry").prefetch_related("financials").filter(pk=application_id).first()
    )
    if application is None or application.state != State.BACKGROUND_CHECK:
        return None
    compiled = published_compiled()
    if compiled is None:
        logger.warning("No published scorecard: application %s not evaluated.", application_id)
        return None
    latest = latest_evaluation(application=application)
    if latest is not None and latest.version_id == compiled.version_id and evaluation_is_current(application, latest):
        return None
    return evaluation_record_for_application(application=application)


def evaluation_request(*, application: Application, actor: User) -> Evaluation:
    """"Evaluate again", by the application's investigator while it is in background check."""
    if not perms.can_investigate(actor, application):
        raise PermissionDenied(
            onboarding_perms.stage_refusal(application, actor)
            or _("Only the investigator of this application can evaluate it, in background check.")
        )
    return evaluation_record_for_application(application=application, actor=actor)


# --- Scorecard versions ---

def _next_number() -> int:
    return (ScorecardVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1


@transaction.atomic
def scorecard_copy(*, version: ScorecardVersion, actor: User) -> ScorecardVersion:
    """A new draft authored by ``actor``: the version's thresholds, criteria, bands and rules.

    The version table is locked for the number so that two copies at once get distinct numbers.
    """
    if not perms.can_manage_scorecards(actor):
        raise PermissionDenied(_("Only risk managers manage the scorecard."))
    list(ScorecardVersion.objects.select_for_update().values_list("pk", flat=True))
    draft = ScorecardVersion.objects.create(
        number=_next_number(), status=VersionStatus.DRAFT, based_on=version, author=actor,
        admission_threshold=version.admission_threshold, tier_a_min=version.tier_a_min,
        tier_b_min=version.tier_b_min, tier_c_min=version.tier_c_min,
        notes=_("Copied from version %(number)s.") % {"number": version.number},
    )
    for criterion in version.criteria.prefetch_related("bands").order_by("ordering", "pk"):
        copy = Criterion.objects.create(
            version=draft, group=criterion.group, metric=criterion.metric, label=criterion.label,
            weight=criterion.weight, ordering=criterion.ordering,
        )
        Band.objects.bulk_create(
            Band(criterion=copy, lower=b.lower, upper=b.upper, category=b.category, points=b.points)
            for b in criterion.bands.all()
        )
    KnockOutRule.objects.bulk_create(
        KnockOutRule(version=draft, code=rule.code, enabled=rule.enabled, parameters=dict(rule.parameters))
        for rule in version.knockout_rules.all()
    )
    return draft


def _draft_for_edit(version_id: int, actor: User) -> ScorecardVersion:
    version = ScorecardVersion.objects.select_for_update().get(pk=version_id)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("A published or retired scorecard version cannot be changed; copy it to a draft."))
    if not perms.can_edit_draft(actor, version):
        raise PermissionDenied(_("Only the author of a draft can edit it."))
    return version


@transaction.atomic
def scorecard_draft_save(*, version: ScorecardVersion, actor: User, form, criteria, knockouts) -> ScorecardVersion:
    """Save a draft's thresholds and notes, criterion weights and order, and knock-out rules (bound forms)."""
    _draft_for_edit(version.pk, actor)
    saved = form.save()
    criteria.save()
    knockouts.save()
    return saved


@transaction.atomic
def scorecard_bands_save(*, criterion: Criterion, actor: User, bands) -> None:
    """Save the bands of one criterion of a draft (a bound formset)."""
    _draft_for_edit(criterion.version_id, actor)
    bands.save()


@transaction.atomic
def scorecard_draft_delete(*, version_id: int, actor: User) -> None:
    """Discard a draft (its author only). Published and retired versions stay forever."""
    version = _draft_for_edit(version_id, actor)
    version.delete()


def scorecard_problems(version: ScorecardVersion) -> list[str]:
    """What makes a version unfit to publish, as messages (empty when it can be published)."""
    problems: list[str] = []
    if not (version.tier_a_min >= version.tier_b_min >= version.tier_c_min):
        problems.append(_("Tier thresholds must go down from A to C."))
    criteria = list(version.criteria.prefetch_related("bands"))
    if not any(c.weight > 0 for c in criteria):
        problems.append(_("At least one criterion needs a weight above zero."))
    for criterion in criteria:
        bands = list(criterion.bands.all())
        name = str(criterion)
        if criterion.weight > 0 and not bands:
            problems.append(_("%(criterion)s has a weight but no bands.") % {"criterion": name})
        if criterion.metric in CATEGORICAL_METRICS:
            categories = [b.category for b in bands]
            if any(not c for c in categories):
                problems.append(_("%(criterion)s scores categories: every band needs one.") % {"criterion": name})
            if len(categories) != len(set(categories)):
                problems.append(_("%(criterion)s names a category twice.") % {"criterion": name})
            continue
        if any(b.category for b in bands):
            problems.append(_("%(criterion)s scores numbers: its bands take bounds, not categories.")
                            % {"criterion": name})
        ordered = sorted(bands, key=lambda b: (b.lower is not None, b.lower or 0))
        for before, after in zip(ordered, ordered[1:], strict=False):
            if before.upper is None or after.lower is None or before.upper > after.lower:
                problems.append(_("%(criterion)s has overlapping bands.") % {"criterion": name})
                break
            if before.upper < after.lower:
                # A value in the gap would be "not scored": close it, or make it explicit with a band.
                problems.append(_("%(criterion)s has a gap between %(upper)s and %(lower)s.")
                                % {"criterion": name, "upper": before.upper, "lower": after.lower})
                break
    return problems


def publication_requested(version: ScorecardVersion) -> bool:
    """Whether the author already asked the other risk managers to publish this draft."""
    return Notification.objects.filter(message__code=DRAFT_AWAITS_PUBLICATION,
                                       message__params__version=version.pk).exists()


def scorecard_publication_request(*, version_id: int, actor: User) -> int:
    """The author of a draft asks the other risk managers to publish it (maker-checker).

    Side effects: a notification (e-mail after commit) to every active risk manager other than
    the author. Asking twice tells nobody twice. Returns how many were told. Raises
    ``PermissionDenied`` for anyone but the draft's author and ``ValidationError`` while the
    draft cannot be published.
    """
    with transaction.atomic():
        version = ScorecardVersion.objects.select_for_update().get(pk=version_id)
        if not perms.can_edit_draft(actor, version):
            raise PermissionDenied(_("Only the author of a draft asks for its publication."))
        problems = scorecard_problems(version)
        if problems:
            raise ValidationError(problems)
        if publication_requested(version):
            return 0
        managers = User.objects.filter(groups__name=Role.RISK_MANAGER, is_active=True).exclude(pk=actor.pk)
        created = notify(
            recipients=managers.distinct().order_by("pk"),
            verb=message(DRAFT_AWAITS_PUBLICATION, author=str(actor), number=version.number, version=version.pk),
            url=reverse("screening:scorecard_detail", args=[version.pk]),
        )
    return len(created)


def scorecard_publish(*, version_id: int, actor: User) -> ScorecardVersion:
    """Publish a draft and retire the published version, in one transaction under row locks.

    Maker-checker: the publisher is a risk manager other than the author. Side effects: the
    previous version becomes retired; new evaluations use this one from the commit on.
    """
    with transaction.atomic():
        version = ScorecardVersion.objects.select_for_update().get(pk=version_id)
        if version.status != VersionStatus.DRAFT:
            raise ValidationError(_("Only a draft can be published; this version is %(status)s.")
                                  % {"status": version.get_status_display()})
        if not perms.can_manage_scorecards(actor):
            raise PermissionDenied(_("Only risk managers manage the scorecard."))
        if version.author_id == actor.pk:
            raise PermissionDenied(_("A different risk manager must publish this draft (maker-checker)."))
        refused = gates.refusals(actor, action="scorecard_publish", role=Role.RISK_MANAGER)
        if refused:
            raise ValidationError(refused)
        problems = scorecard_problems(version)
        if problems:
            raise ValidationError(problems)
        now = timezone.now()
        previous_id = None
        for previous in ScorecardVersion.objects.select_for_update().filter(status=VersionStatus.PUBLISHED):
            previous_id = previous.pk
            previous.status = VersionStatus.RETIRED
            previous.retired_at = now
            previous.save(update_fields=["status", "retired_at"])
        version.status = VersionStatus.PUBLISHED
        version.publisher = actor
        version.published_at = now
        try:
            with transaction.atomic():
                version.save(update_fields=["status", "publisher", "published_at"])
        except IntegrityError:
            # Two drafts published at once: both waited on the lock of the same published version;
            # the first retired it and published its draft, so the second one found nothing left to
            # retire and the one-published-version constraint refuses it. It loses, with a message.
            winner = ScorecardVersion.objects.filter(status=VersionStatus.PUBLISHED).exclude(pk=version.pk).first()
            if winner is None:
                raise
            raise ValidationError(
                _("Someone else has just published version %(number)s. Nothing was changed: look at that "
                  "version, then publish this draft if it should replace it.") % {"number": winner.number}
            ) from None
        transaction.on_commit(lambda: scorecard_published.send(
            sender=ScorecardVersion, version_id=version.pk, previous_id=previous_id))
    return version


# --- Investigation policy ---

@transaction.atomic
def investigation_policy_update(*, form, actor: User) -> InvestigationPolicy:
    """Save the policy form (risk managers). The change is kept in the policy's history."""
    if not perms.can_edit_policy(actor):
        raise PermissionDenied(_("Only risk managers change the investigation policy."))
    investigation_policy()
    policy = form.save(commit=False)
    policy.pk = 1
    policy.updated_by = actor
    policy.updated_at = timezone.now()
    policy._change_reason = encode(message("screening.policy_updated"))
    policy.save()
    return policy


# --- Investigation records ---

def _lock_for_investigation(application: Application, actor: User) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not perms.can_investigate(actor, locked):
        raise PermissionDenied(
            onboarding_perms.stage_refusal(locked, actor)
            or _("Only the investigator of this application records investigation, while it is in background check.")
        )
    refused = gates.refusals(actor, action="investigation_record", role=Role.INVESTIGATOR)
    if refused:
        raise ValidationError(refused)
    return locked


def _check_photo(upload: UploadedFile):
    checked = check_upload(upload)
    if checked.content_type not in PHOTO_TYPES:
        raise ValidationError(
            _("%(name)s is not a photo: only JPEG and PNG images are accepted."),
            code="photo_type", params={"name": checked.original_name},
        )
    return checked


@transaction.atomic
def interview_record(*, application: Application, actor: User, **fields) -> Interview:
    """Record an interview (date, participants, business model, management, plans, findings)."""
    locked = _lock_for_investigation(application, actor)
    return Interview.objects.create(application=locked, recorded_by=actor, **fields)


@transaction.atomic
def site_visit_record(
    *, application: Application, actor: User, photos: Iterable[UploadedFile] = (), **fields
) -> SiteVisit:
    """Record a site visit with its photos; one refused photo refuses the whole record.

    Every photo is checked before anything is written, so a refusal leaves no file behind.
    """
    locked = _lock_for_investigation(application, actor)
    checked = [(upload, _check_photo(upload)) for upload in photos]
    visit = SiteVisit.objects.create(application=locked, recorded_by=actor, **fields)
    for upload, result in checked:
        _store_photo(visit, upload, actor, result)
    return visit


def _store_photo(visit: SiteVisit, upload: UploadedFile, actor: User, checked=None) -> SiteVisitPhoto:
    checked = checked or _check_photo(upload)
    return SiteVisitPhoto.objects.create(
        site_visit=visit, file=upload, original_name=checked.original_name, content_type=checked.content_type,
        size=checked.size, sha256=checked.sha256, uploaded_by=actor,
    )


def site_visit_photos_add(
    *, site_visit: SiteVisit, uploads: Iterable[UploadedFile], actor: User
) -> tuple[list[str], list[str]]:
    """Add photos to a visit one by one. Returns (stored names, error messages)."""
    stored, errors = [], []
    for upload in uploads:
        try:
            with transaction.atomic():
                _lock_for_investigation(site_visit.application, actor)
                photo = _store_photo(site_visit, upload, actor)
        except ValidationError as error:
            errors.extend(error.messages)
        else:
            stored.append(photo.original_name)
    return stored, errors


@transaction.atomic
def third_party_report_record(
    *, application: Application, actor: User, upload: UploadedFile, **fields
) -> ThirdPartyReport:
    """Record a third-party report (provider, date, conclusion) with its file, checked like documents."""
    locked = _lock_for_investigation(application, actor)
    checked = check_upload(upload)
    return ThirdPartyReport.objects.create(
        application=locked, recorded_by=actor, file=upload, original_name=checked.original_name,
        content_type=checked.content_type, size=checked.size, sha256=checked.sha256, **fields,
    )
