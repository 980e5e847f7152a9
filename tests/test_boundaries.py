"""Invariants checked on the source itself: the state machine's single writer, and the layers in templates.

``lint-imports`` (import-linter, run by .ci/run) checks the Python imports against the layers in
pyproject.toml; these tests check what it cannot see: templates loading another app's tag library,
and any code writing ``Application.state`` other than through a transition.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest
from django.template.backends.django import get_installed_libraries

ROOT = Path(__file__).resolve().parent.parent


def _layers() -> dict[str, int]:
    """App → rank (0 the lowest), from the import-linter contract in pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["id"] == "layers")["layers"]
    ranks = {}
    for rank, layer in enumerate(reversed(layers)):
        for app in layer.split("|"):
            ranks[app.strip()] = rank
    return ranks


LAYERS = _layers()
LOAD = re.compile(r"{%\s*load\s+(.+?)\s*%}")


def _libraries_loaded(source: str) -> list[str]:
    names = []
    for match in LOAD.finditer(source):
        words = match.group(1).split()
        # "{% load a b %}" loads libraries a and b; "{% load x y from lib %}" loads from lib.
        names.extend([words[-1]] if "from" in words else words)
    return names


def template_violations(app: str, source: str, libraries: dict[str, str]) -> list[str]:
    """The tag libraries ``source`` (a template of ``app``) loads from an app it may not depend on."""
    found = []
    for name in _libraries_loaded(source):
        owner = libraries.get(name, "").split(".")[0]
        if owner in LAYERS and owner != app and LAYERS[owner] >= LAYERS[app]:
            found.append(f"{name} ({owner})")
    return found


def test_the_layers_are_read_from_the_contract():
    assert LAYERS == {
        "accounts": 0, "onboarding": 1, "watchlists": 2, "screening": 3, "outcomes": 4, "approvals": 5, "monitoring": 5,
        "analysis": 6, "training": 7, "api": 8, "bench": 9,
    }


def test_templates_load_only_their_own_or_lower_apps_tag_libraries():
    libraries = get_installed_libraries()
    problems = []
    for app in LAYERS:
        for path in sorted((ROOT / app / "templates").rglob("*.html")):
            for violation in template_violations(app, path.read_text(), libraries):
                problems.append(f"{path.relative_to(ROOT)} loads {violation}")
    assert problems == []


def test_the_template_check_catches_an_upward_load():
    libraries = get_installed_libraries()
    assert template_violations("onboarding", "{% load i18n monitoring_tags %}", libraries) == [
        "monitoring_tags (monitoring)"
    ]
    assert template_violations("approvals", "{% load customer_alerts_panel from monitoring_tags %}", libraries) == [
        "monitoring_tags (monitoring)"  # a sibling layer: approvals and monitoring are independent
    ]
    assert template_violations("approvals", "{% load watchlist_tags panel_tags static %}", libraries) == []


# --- The single writer of Application.state ---

WRITE_METHODS = {"update", "create", "get_or_create", "update_or_create", "bulk_create"}


def state_writes(source: str) -> list[int]:
    """Lines of ``source`` that write a ``state`` field other than through a transition method."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Attribute) and t.attr == "state" for t in targets):
            lines.append(node.lineno)
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        keywords = {k.arg for k in node.keywords}
        if "state" in keywords and (name in WRITE_METHODS or name == "Application"):
            lines.append(node.lineno)
        if name == "setattr" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) \
                and node.args[1].value == "state":
            lines.append(node.lineno)
        if name == "bulk_update" and any(isinstance(c, ast.Constant) and c.value == "state"
                                         for arg in node.args[1:] for c in ast.walk(arg)):
            lines.append(node.lineno)
    return lines


def _project_sources():
    for package in [*LAYERS, "config"]:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_code_writes_the_application_state_outside_the_transition_function():
    writes = [f"{path.relative_to(ROOT)}:{line}" for path in _project_sources() for line in state_writes(path.read_text())]
    assert writes == []


@pytest.mark.parametrize("snippet", [
    "application.state = 'approved'",
    "self.state += 'x'",
    "Application.objects.filter(pk=1).update(state='approved')",
    "Application.objects.create(created_by=user, state='approved')",
    "Application(state='approved')",
    "setattr(application, 'state', 'approved')",
    "Application.objects.bulk_update(rows, ['state', 'decided_at'])",
])
def test_the_state_write_check_catches(snippet):
    assert state_writes(snippet) == [1]


def test_reading_the_state_is_not_a_write():
    assert state_writes("Application.objects.filter(state='approved').exclude(state='draft').count()") == []
