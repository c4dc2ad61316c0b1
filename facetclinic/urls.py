"""Top-level routes: the admin and the screening app."""

from django.contrib import admin
from django.urls import include, path

from screening.views.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("screening.urls")),
]

handler500 = "screening.views.errors.server_error"
