"""Top-level routes: the admin and the screening app."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("screening.urls")),
]

handler500 = "screening.views.errors.server_error"
