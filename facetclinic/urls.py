"""Top-level routes: the admin and the screening app."""

from django.contrib import admin
from django.urls import include, path

from screening.health_views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("screening.urls")),
]

handler500 = "screening.error_views.server_error"
