"""Signals for higher apps (the API's webhooks), sent after the writing transaction commits."""

import django.dispatch

# sender=Alert, alert_ids: the alerts a job opened (not the ones it only saw again).
alerts_opened = django.dispatch.Signal()
# sender=Customer, changes: [(customer_id, evaluation_id, previous_tier, tier)] of a re-evaluation chunk.
tiers_changed = django.dispatch.Signal()
# Sent inside the saving transaction. sender=IndicatorSetting, actor, changes:
# [{"subject": tier or indicator code, "field": "cadence_months" | "enabled" | "threshold" | "severity",
#   "old": ..., "new": ...}] — only the values that changed.
settings_changed = django.dispatch.Signal()
