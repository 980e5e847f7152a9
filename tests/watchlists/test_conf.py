"""Watchlist settings: from Django settings, else the environment, validated."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from watchlists import conf


def test_threshold_from_the_environment(monkeypatch, settings):
    monkeypatch.delattr(settings, "WATCHLIST_MATCH_THRESHOLD", raising=False)
    monkeypatch.setenv("WATCHLIST_MATCH_THRESHOLD", "90")
    assert conf.match_threshold() == 90.0
    monkeypatch.setenv("WATCHLIST_MATCH_THRESHOLD", "ninety")
    with pytest.raises(ImproperlyConfigured, match="is not a number"):
        conf.match_threshold()
    monkeypatch.setenv("WATCHLIST_MATCH_THRESHOLD", "120")
    with pytest.raises(ImproperlyConfigured, match="must be a number from 0 to 100"):
        conf.match_threshold()


def test_setting_wins_over_the_environment(monkeypatch, settings):
    monkeypatch.setenv("WATCHLIST_CANDIDATE_LIMIT", "10")
    settings.WATCHLIST_CANDIDATE_LIMIT = 25
    assert conf.candidate_limit() == 25
    monkeypatch.delattr(settings, "WATCHLIST_CANDIDATE_LIMIT")
    assert conf.candidate_limit() == 10
    monkeypatch.delenv("WATCHLIST_CANDIDATE_LIMIT")
    assert conf.candidate_limit() == 60
