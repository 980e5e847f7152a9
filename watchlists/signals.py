"""Signals other apps may listen to. Sent after the transaction commits."""

import django.dispatch

# Sent once a hit has been dispositioned and committed; kwargs: hit (a ScreeningHit).
# screening re-evaluates (a true match is a knock-out), monitoring may raise an alert.
hit_dispositioned = django.dispatch.Signal()

# Sent once a list import has committed; kwargs: source (a WatchlistSource). Monitoring
# re-screens every admitted customer against it.
watchlist_imported = django.dispatch.Signal()
