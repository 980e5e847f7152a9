"""The developer entry points: Makefile, Procfile.dev and .ci/run."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def clean_env(**extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), **extra}


def test_make_run_refuses_a_python_older_than_3_11(tmp_path):
    # A copy of the Makefile in an empty folder: nothing may be created before the check.
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt"):
        shutil.copy(BASE_DIR / name, tmp_path / name)
    fake = tmp_path / "python3.10"
    fake.write_text('#!/bin/sh\ncase "$1" in --version) echo "Python 3.10.12";; *) exit 1;; esac\n')
    fake.chmod(0o755)
    result = subprocess.run(
        ["make", "run", f"PYTHON={fake}"], cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert f"error: Vetted needs Python 3.11 or newer; '{fake}' is Python 3.10.12." in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Makefile", "python3.10", "requirements-dev.txt", "requirements.txt",
    ]


def test_make_dirs_creates_the_folders_the_settings_name(tmp_path):
    result = subprocess.run(
        ["make", "--no-print-directory", "dirs", f"PYTHON={sys.executable}"], cwd=BASE_DIR,
        env=clean_env(VETTED_VAR_DIR=str(tmp_path / "var")), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    created = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_dir())
    assert created == [
        "var", "var/broker", "var/broker/control", "var/broker/out", "var/broker/processed", "var/media",
    ]


def test_procfile_starts_web_one_worker_and_a_separate_beat():
    lines = [
        line for line in (BASE_DIR / "Procfile.dev").read_text().splitlines() if line and not line.startswith("#")
    ]
    # Not an embedded beat (-B): a worker killed with SIGKILL would leave it running as an orphan.
    assert lines == [
        "web: .venv/bin/python manage.py runserver 127.0.0.1:8000",
        "worker: .venv/bin/celery -A config worker --pool=solo --loglevel=INFO",
        'beat: .venv/bin/celery -A config beat --loglevel=INFO --schedule="${VETTED_VAR_DIR:-var}/celerybeat-schedule"',
    ]


def test_ci_run_is_an_executable_strict_bash_script():
    script = BASE_DIR / ".ci" / "run"
    assert script.stat().st_mode & stat.S_IXUSR
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in text
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
