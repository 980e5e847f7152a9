"""Benchmark the daily pages through gunicorn beside a hello-world floor (see docs/performance.md).

    createdb vetted_speed_bench
    DATABASE_URL=postgres://…/vetted_speed_bench DEBUG=1 python manage.py migrate
    DATABASE_URL=postgres://…/vetted_speed_bench DEBUG=1 python manage.py bench_pages --applications 1000

1. Builds N applications over 20 sales owners (a few hundred open, the rest decided over the
   years), their state history, documents, history records, committee rounds, the admitted
   customers with conditions, notifications and ``--alerts`` alerts (bench/data.py).
2. Signs in one session per connection directly in the session table (each bench user has an
   authenticator app, and the session says it was proven, as after a real two-factor sign-in).
3. Starts the production WSGI app under gunicorn (DEBUG off, 5 sync workers) with the bench URL
   conf (bench/urls.py: the site plus a hello-world view, the floor) and measures each page with
   ``wrk`` (``apt-get install wrk``): 20 connections, one thread and one session each.
4. Prints per page requests per second, p50/p95 latency, the queries of one in-process request
   (CaptureQueriesContext) and the ratio to the floor.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role
from bench import data
from onboarding.enums import State
from onboarding.models import Application

LUA = """
local cookies = {%(cookies)s}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("cookie", cookies[(counter - 1) %% #cookies + 1])
end
function init(args)
  req = wrk.format("GET", "%(path)s", {["Cookie"] = "sessionid=" .. cookie, ["Host"] = "127.0.0.1"})
end
function request() return req end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Command(BaseCommand):
    help = "Benchmark the daily pages through gunicorn at N applications, beside a hello-world floor."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--applications", type=int, default=1000)
        parser.add_argument("--alerts", type=int, help="alerts (default: as many as applications)")
        parser.add_argument("--connections", type=int, default=20)
        parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers")
        parser.add_argument("--duration", type=int, default=10, help="seconds per page (after 2 s of warm-up)")
        parser.add_argument("--skip-setup", action="store_true", help="measure the data of the last run")
        parser.add_argument("--only", default="", help="comma-separated page names to measure")
        parser.add_argument("--profile", type=int, default=0, metavar="REQUESTS",
                            help="first profile each page in-process over this many requests (bench/profile_pages.py)")
        parser.add_argument("--profile-top", type=int, default=0, metavar="N",
                            help="with --profile, also list the N project functions with the most cumulative time")
        parser.add_argument("--no-load", action="store_true", help="do not start gunicorn and wrk (profile or explain only)")
        parser.add_argument("--explain", action="store_true",
                            help="EXPLAIN ANALYZE every query of every page and flag sequential scans of big tables")

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_pages needs PostgreSQL (DATABASE_URL=postgres://…).")
        if Application.objects.exclude(created_by__username__startswith="bench-").exists():
            raise CommandError("This database holds real applications: run the benchmark on a database of its own.")
        if not shutil.which("wrk"):
            raise CommandError("wrk is not installed (apt-get install wrk).")
        out = self.stdout.write
        n = options["applications"]
        alerts = n if options["alerts"] is None else options["alerts"]
        if not options["skip_setup"]:
            started = time.perf_counter()
            out(f"building {n:,} applications and {alerts:,} alerts …")
            data.build(n, alerts, out=out)
            out(f"setup: {time.perf_counter() - started:,.1f} s")
        staff = data.people()
        pages = self.pages(staff)
        if options["only"]:
            wanted = {name.strip() for name in options["only"].split(",")}
            pages = [p for p in pages if p[0] in wanted or p[0] == "hello-world"]
        counts = {name: self.queries(path, staff[role][0]) for name, role, path in pages}
        if options["explain"]:
            from bench.explain import explain

            variants = pages + [
                ("All applications, search", Role.RISK_MANAGER, "/applications/all/?q=Company+012345"),
                ("All applications, rejected", Role.RISK_MANAGER, "/applications/all/?state=rejected"),
                ("All applications, overdue", Role.RISK_MANAGER, "/applications/all/?overdue=on"),
                ("All applications, submitted in 2025", Role.RISK_MANAGER,
                 "/applications/all/?submitted_from=2025-01-01&submitted_to=2025-12-31"),
                ("My applications, search", Role.SALES, "/applications/mine/?q=%E4%BC%81%E4%B8%9A0123"),
                ("Customers, search", Role.RISK_MANAGER, "/approvals/customers/?q=%E4%BC%81%E4%B8%9A012345"),
                ("Customers, tier D suspended", Role.RISK_MANAGER, "/approvals/customers/?tier=D&status=suspended"),
                ("Customers, review overdue", Role.RISK_MANAGER, "/approvals/customers/?review_overdue=on"),
                ("Customers, one sales owner", Role.SALES, "/approvals/customers/"),
                ("Alert list, open critical", Role.RISK_MANAGER, "/monitoring/alerts/?severity=critical&status=open"),
                ("Alert list, tier D", Role.RISK_MANAGER, "/monitoring/alerts/?tier=D"),
            ]
            flagged = explain([(name, path, self.session(staff[role][0])) for name, role, path in variants
                               if not options["only"] or name.split(",")[0] in wanted], out)
            out(f"\n{flagged} sequential scans of tables over 10,000 rows")
        with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
            env = self.environment(Path(tmp))
            subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, check=True,
                           cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL)
            if options["profile"]:
                listed = [(name, path, self.session(staff[role][0])) for name, role, path in pages]
                subprocess.run([sys.executable, "-m", "bench.profile_pages", json.dumps(listed), str(options["profile"]),
                                str(options["profile_top"])], env=env, check=True, cwd=settings.BASE_DIR)
            if options["no_load"]:
                return
            server, port = self.start(env, options["workers"])
            try:
                # Every worker answers its first requests slowly (imports, template compilation; over
                # 10 s each on a loaded machine, beyond wrk's timeout): first one request per
                # connection and page with no timeout, then wrk for 2 s, before measuring anything.
                self.warm(port, pages, staff, options["connections"])
                for _name, role, path in pages:
                    cookies = [self.session(staff[role][k % len(staff[role])]) for k in range(options["connections"])]
                    self.measure(Path(tmp), port, path, cookies, options, server=None, seconds=2)
                results = {}
                for name, role, path in pages:
                    cookies = [self.session(staff[role][k % len(staff[role])]) for k in range(options["connections"])]
                    results[name] = self.measure(Path(tmp), port, path, cookies, options, server=server)
                    out(f"  {name}: {results[name]['rps']:,.0f} rps")
                # The floor once more at the end: the machine is shared, its load moves.
                floor_cookies = [self.session(staff[Role.SALES][k % 20]) for k in range(options["connections"])]
                floor_end = self.measure(Path(tmp), port, "/bench/hello/", floor_cookies, options, server=server)
            finally:
                server.terminate()
                server.wait(timeout=30)
        floor = (results["hello-world"]["rps"] + floor_end["rps"]) / 2 or float("nan")
        out("")
        out(f"{n:,} applications, {Application.objects.filter(state__in=data.OPEN_SHARE).count():,} open; "
            f"{alerts:,} alerts; gunicorn {options['workers']} sync workers, {options['connections']} connections "
            f"(one session each), DEBUG off; {multiprocessing.cpu_count()} CPUs, load average "
            f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} after the run")
        out(f"floor (hello world, same middleware): {results['hello-world']['rps']:,.0f} rps at the start, "
            f"{floor_end['rps']:,.0f} at the end; ratios use the mean {floor:,.0f}")
        out("")
        out(f"{'page':<26} {'rps':>7} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7} {'of floor':>8} {'CPU ms':>7} "
            f"{'CPU × floor':>11}")
        floor_cpu = results["hello-world"]["cpu"] or float("nan")
        for name, _role, _path in pages:
            r = results[name]
            out(f"{name:<26} {r['rps']:>7,.0f} {r['p50']:>7.1f} {r['p95']:>7.1f} {counts[name]:>7} "
                f"{r['rps'] / floor:>8.1%} {r['cpu']:>7.2f} {r['cpu'] / floor_cpu:>11.1f}"
                + (f"  ({r['bad']} non-2xx/errors)" if r["bad"] else ""))
        out("CPU ms: the gunicorn workers' CPU time per request (PostgreSQL's comes on top).")

    # --- What is measured --------------------------------------------------------------------

    def pages(self, staff) -> list[tuple[str, str, str]]:
        in_committee = Application.objects.filter(state=State.COMMITTEE_REVIEW).order_by("pk").first()
        if in_committee is None:
            raise CommandError("No application in committee review: run without --skip-setup.")
        return [
            ("hello-world", Role.SALES, "/bench/hello/"),
            ("My applications", Role.SALES, "/applications/mine/"),
            ("Work queue", Role.DOCUMENT_REVIEWER, "/queue/"),
            ("All applications", Role.RISK_MANAGER, "/applications/all/"),
            ("Committee queue", Role.APPROVER_FINANCE, "/approvals/"),
            ("Committee review", Role.APPROVER_FINANCE, f"/approvals/applications/{in_committee.pk}/"),
            ("Application page", Role.RISK_MANAGER, f"/applications/{in_committee.pk}/"),
            ("Customers", Role.RISK_MANAGER, "/approvals/customers/"),
            ("Risk dashboard", Role.RISK_MANAGER, "/monitoring/"),
            ("Alert list", Role.RISK_MANAGER, "/monitoring/alerts/"),
        ]

    def session(self, user: User) -> str:
        """A signed-in session, as a password and two-factor sign-in leaves it (no request needed)."""
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store["_refreshed"] = int(time.time())  # accounts.middleware.SessionRefreshMiddleware.KEY
        store.create()
        return store.session_key

    def queries(self, path: str, user: User) -> int:
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = self.session(user)
        with override_settings(ROOT_URLCONF="bench.urls"):
            client.get(path)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
        if response.status_code != 200:
            raise CommandError(f"{path} answered {response.status_code} in-process.")
        return len(captured)

    # --- The server and the load ---------------------------------------------------------------

    def environment(self, tmp: Path) -> dict:
        """Production settings (DEBUG off) with the bench URL conf; the same key signs the sessions."""
        return {
            **os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0",
            "VETTED_VAR_DIR": str(tmp), "LOG_LEVEL": "WARNING",
        }

    def start(self, env: dict, workers: int):
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", str(workers),
             "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            env=env, cwd=settings.BASE_DIR,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return server, port
            except OSError:
                time.sleep(0.3)
        server.terminate()
        raise CommandError("gunicorn did not start.")

    def warm(self, port: int, pages, staff, connections: int) -> None:
        import urllib.request
        from concurrent.futures import ThreadPoolExecutor

        def get(args) -> None:
            path, key = args
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                             headers={"Cookie": f"sessionid={key}", "Host": "127.0.0.1"})
            with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 — our own server
                response.read()

        for _name, role, path in pages:
            keys = [self.session(staff[role][k % len(staff[role])]) for k in range(connections)]
            with ThreadPoolExecutor(connections) as pool:
                list(pool.map(get, [(path, key) for key in keys]))

    def measure(self, tmp: Path, port: int, path: str, cookies: list[str], options, *, server, seconds=None) -> dict:
        script = tmp / "bench.lua"
        script.write_text(LUA % {"cookies": ", ".join(f'"{c}"' for c in cookies), "path": path})
        n = options["connections"]

        def wrk(seconds: int) -> dict:
            result = subprocess.run(
                ["wrk", "-t", str(n), "-c", str(n), "-d", f"{seconds}s", "--timeout", "10s", "-s", str(script),
                 f"http://127.0.0.1:{port}{path}"],
                capture_output=True, text=True, check=True,
            )
            match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", result.stdout)
            if match is None:
                raise CommandError(f"wrk said: {result.stdout}{result.stderr}")
            done, duration, p50, p95, status, errors = map(int, match.groups())
            return {"rps": done / (duration / 1e6), "p50": p50 / 1000, "p95": p95 / 1000, "bad": status + errors,
                    "done": done}

        if seconds is not None:
            return wrk(seconds)
        wrk(1)
        cpu = _worker_cpu(server.pid)
        result = wrk(options["duration"])
        # The app server's own CPU per request: unlike the rate, it hardly moves with the load
        # other processes put on the machine.
        result["cpu"] = (_worker_cpu(server.pid) - cpu) / max(result["done"], 1) * 1000
        return result


def _worker_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by gunicorn's worker processes."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total

