"""The production settings with the benchmark's URL conf (a hello-world view beside the real pages).

Only ``bench_pages`` starts gunicorn with this module; it is never the site's settings.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
