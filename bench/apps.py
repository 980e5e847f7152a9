from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmarks of the web pages (``bench_pages``); installed only when DEBUG is on."""

    name = "bench"
    verbose_name = "Benchmarks"
