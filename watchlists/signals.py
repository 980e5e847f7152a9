"""Signals other apps may listen to. Sent after the transaction commits."""

import django.dispatch

# Sent once a hit has been dispositioned and committed; kwargs: hit (a ScreeningHit).
# screening re-evaluates (a true match is a knock-out), monitoring may raise an alert.
hit_dispositioned = django.dispatch.Signal()

# Sent once a list import has committed; kwargs: source (a WatchlistSource). Monitoring
# re-screens every admitted customer against it.
watchlist_imported = django.dispatch.Signal()

# Sent after a re-import whose difference touched only some parties, once those were
# screened again (``watchlists.services.rescreen_change``); kwargs: change (a ListChange),
# customer_ids (the customers screened again), new_hits ({customer id: new hits waiting for
# a decision}). ``watchlist_imported`` is not sent then: nobody else needs screening again.
watchlist_changed = django.dispatch.Signal()
