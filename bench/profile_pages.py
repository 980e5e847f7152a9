"""Where one request's time goes, per page: cProfile over in-process requests, DEBUG off.

Run by ``bench_pages --profile`` in a process of its own with the production settings (the
same environment as the gunicorn it measures):

    python -m bench.profile_pages '<json: [[name, path, session key], …]>' REQUESTS [TOP]

Prints, per page, the wall time of one request (without the profiler) and the share of the
profiled time spent in each part: the view's own work, templates (of which form widgets and
the navigation), the queries (wherever they run), the session, role and two-factor checks.
With TOP, also the TOP functions of the project's own code and templates by cumulative time
(where to look next).
"""

from __future__ import annotations

import cProfile
import json
import pstats
import sys
import time

import django

# (label, module path fragment, function name): cumulative time of these functions.
PARTS = [
    ("SQL (all queries, incl. lazy ones in templates)", "django/db/backends/utils.py", "_execute"),
    ("templates (render)", "django/shortcuts.py", "render"),
    ("  form widgets (BoundField.as_widget)", "django/forms/boundfield.py", "as_widget"),
    ("  {% include %}", "django/template/loader_tags.py", "IncludeNode.render"),
    ("  navigation (context processor)", "accounts/context_processors.py", "navigation"),
    ("session load", "django/contrib/sessions/backends/db.py", "load"),
    ("session save", "django/contrib/sessions/backends/db.py", "save"),
    ("user load (auth)", "django/contrib/auth/__init__.py", "get_user"),
    ("role names (one query per request)", "accounts/models.py", "role_names"),
    ("two-factor check (TwoFactorMiddleware)", "accounts/middleware.py", "process_view"),
    ("django-otp device load", "django_otp/middleware.py", "_verify_user_sync"),
    ("COUNT(*) (Paginator / .count())", "django/db/models/query.py", "count"),
]


def _cumulative(stats: pstats.Stats, fragment: str, name: str) -> float:
    line = None
    if "." in name:  # a method: told apart from same-named ones in the file by its first line
        from django.template import loader_tags

        owner, name = name.split(".")
        line = getattr(loader_tags, owner).render.__code__.co_firstlineno
    total = 0.0
    for (filename, first_line, function), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        if function == name and fragment in filename and line in (None, first_line):
            total += ct
    return total


def main() -> None:
    django.setup()
    from django.test import Client

    pages = json.loads(sys.argv[1])
    requests = int(sys.argv[2])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    for name, path, key in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = key
        for _ in range(3):
            assert client.get(path).status_code == 200, path
        started = time.perf_counter()
        cpu = time.process_time()
        for _ in range(requests):
            client.get(path)
        wall = (time.perf_counter() - started) / requests * 1000
        cpu = (time.process_time() - cpu) / requests * 1000
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(requests):
            client.get(path)
        profile.disable()
        stats = pstats.Stats(profile)
        total = _cumulative(stats, "django/test/client.py", "request") or stats.total_tt
        print(f"\n{name} ({path}): {wall:.1f} ms a request, {cpu:.1f} ms of it CPU in this process")
        for label, fragment, function in PARTS:
            share = _cumulative(stats, fragment, function) / total
            print(f"  {label:<52} {share:>6.1%}")
        if top:
            _print_top(stats, total, top)
        sys.stdout.flush()


def _print_top(stats: pstats.Stats, total: float, top: int) -> None:
    """The project's functions (not Django's or the libraries') with the most cumulative time."""
    from django.conf import settings

    base = str(settings.BASE_DIR)
    own = [
        (ct, filename, line, function)
        for (filename, line, function), (_cc, _nc, _tt, ct, _callers) in stats.stats.items()
        if filename.startswith(base) and "/.venv/" not in filename and "/bench/" not in filename
    ]
    for ct, filename, line, function in sorted(own, reverse=True)[:top]:
        print(f"    {ct / total:>6.1%}  {filename[len(base) + 1:]}:{line} {function}")


if __name__ == "__main__":
    main()
