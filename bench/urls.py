"""The app's routes plus the benchmark's floor views (under /bench/floor/, bench.settings only)."""

from django.urls import path

from bench import floors
from facetclinic.urls import handler500
from facetclinic.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    path("bench/floor/insert/", floors.insert, name="bench-floor-insert"),
    path("bench/floor/read/", floors.read, name="bench-floor-read"),
    path("bench/floor/read-signed-in/", floors.read_signed_in, name="bench-floor-read-signed-in"),
    *app_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]
