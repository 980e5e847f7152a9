"""The site's URLs plus a hello-world page: the floor the pages are compared with."""

from django.urls import include, path

from bench.views import hello

urlpatterns = [
    path("bench/hello/", hello, name="bench_hello"),
    path("", include("config.urls")),
]
