"""Top-level URL configuration: each interface app mounts its own routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("tandem.web.urls")),
]
