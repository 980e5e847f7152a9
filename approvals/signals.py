"""Signals for higher apps."""

import django.dispatch

# Sent inside the saving transaction. sender=CommitteePolicy, tier, old and new
# ({"departments", "rule", "veto_departments", "veto_silence_consents", "warning"}), actor.
policy_changed = django.dispatch.Signal()
