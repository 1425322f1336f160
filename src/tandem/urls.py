"""Top-level URL configuration: each interface app mounts its own routes."""

from django.urls import include, path

urlpatterns = [
    path("config/", include("tandem.config.urls")),
    path("", include("tandem.web.urls")),
]

handler403 = "tandem.web.views.errors.permission_denied"
handler404 = "tandem.web.views.errors.page_not_found"
handler500 = "tandem.web.views.errors.server_error"
