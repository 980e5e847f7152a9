"""Production settings: templates compiled once per process, no session write per request, no bench app."""

from __future__ import annotations

from tests.test_settings import manage, production_env


def test_production_caches_templates_and_leaves_the_bench_out(tmp_path):
    code = (
        "from django.conf import settings as s; from django.template import engines; "
        "e = engines['django'].engine; "
        "print(type(e.template_loaders[0]).__module__, e.debug, s.SESSION_SAVE_EVERY_REQUEST, 'bench' in s.INSTALLED_APPS)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=production_env(), var_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.template.loaders.cached False False False"
