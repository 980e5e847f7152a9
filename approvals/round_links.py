"""Links that higher apps add to a decided committee round (e.g. the training app's minutes).

Approvals cannot import the apps above it; they register a function here instead:
``register(fn)`` where ``fn(round, user) -> (label, url) | None``. ``attach(rounds, user)`` sets
``round.links`` (a list of ``(label, url)``) on each round for the round partial.
"""

from __future__ import annotations

from collections.abc import Callable

_providers: list[Callable] = []


def register(provider: Callable) -> Callable:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def attach(rounds, user) -> None:
    for round in rounds:
        round.links = [link for provider in _providers if (link := provider(round, user)) is not None]
