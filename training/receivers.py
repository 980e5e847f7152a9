"""Briefings from the lower apps' change signals."""

from __future__ import annotations

from screening.models import ScorecardVersion
from training import briefings, services


def scorecard_published(sender, version_id: int, previous_id: int | None, **kwargs) -> None:
    version = ScorecardVersion.objects.select_related("author", "publisher").get(pk=version_id)
    previous = ScorecardVersion.objects.filter(pk=previous_id).first() if previous_id else None
    services.briefing_send(
        kind="scorecard", subject=f"v{version.number}",
        changes=briefings.scorecard_changes(previous, version), changed_by=version.author,
        approved_by=version.publisher, note=version.notes,
    )


def policy_changed(sender, tier: str, old: dict, new: dict, actor, **kwargs) -> None:
    changes = [{"kind": "tier", "subject": tier, "field": field, "old": old[field], "new": new[field]}
               for field in new if old.get(field) != new[field]]
    services.briefing_send(kind="committee_policy", subject=tier,
                           changes=changes, changed_by=actor)


def monitoring_settings_changed(sender, actor, changes: list[dict], **kwargs) -> None:
    data = [{**c, "kind": "tier" if c["field"] == "cadence_months" else "indicator"} for c in changes]
    services.briefing_send(kind="monitoring", subject="", changes=data, changed_by=actor)


def minutes_link(round, user):
    """The "Minutes" link on a decided committee round, for those who may read minutes."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from training import permissions as perms

    if round.is_open or user is None or not perms.can_read_minutes(user):
        return None
    return gettext("Minutes"), reverse("training:minutes_detail", args=[round.pk])
