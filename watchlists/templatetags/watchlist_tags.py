"""Template tags other apps' pages use to show watchlist hits (onboarding imports nothing of ours)."""

from __future__ import annotations

from django import template

from watchlists import permissions as perms
from watchlists import selectors
from watchlists.countries import country_name
from watchlists.enums import Disposition
from watchlists.forms import DispositionForm

register = template.Library()


@register.filter
def country_names(value: str) -> str:
    """An entry's countries ("CU;ES") as names in the reader's language with their code
    ("Cuba (CU), Spain (ES)"); a country the list named without a code stays as given."""
    shown = []
    for code in (value or "").split(";"):
        if code:
            name = country_name(code)
            shown.append(f"{name} ({code})" if name != code else code)
    return ", ".join(shown)


def hits_panel_context(application, user, *, error: str = "", failed_hit_id: int | None = None,
                       failed_form: DispositionForm | None = None) -> dict:
    """What the hits panel shows; also used by the disposition view to answer HTMX."""
    if user is None or not perms.can_view_hits(user, application):
        return {"visible": False}
    hits = list(selectors.hits_for_application(application.pk))
    return {
        "visible": True,
        "application": application,
        "hits": hits,
        "pending": sum(1 for hit in hits if hit.disposition == Disposition.PENDING),
        "run": selectors.latest_run(application.pk),
        "can_disposition": perms.can_disposition_application(user, application),
        "can_search": perms.can_search(user),
        "form": DispositionForm(),
        "error": error,
        "failed_hit_id": failed_hit_id,
        "failed_form": failed_form,
    }


@register.inclusion_tag("watchlists/partials/hits_panel.html")
def watchlist_hits_panel(application, user) -> dict:
    """``{% watchlist_hits_panel application user %}``: hits, their dispositions, and for an
    investigator who may act, the disposition form."""
    return hits_panel_context(application, user)
