"""Signals for higher apps, sent after the writing transaction commits."""

import django.dispatch

# sender=ScorecardVersion, version_id, previous_id (the version it replaced, or None).
scorecard_published = django.dispatch.Signal()
