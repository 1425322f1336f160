"""Top-level URL configuration: each interface app mounts its own routes."""

from django.urls import include, path

from tandem.api.main import api, index, unknown_path

urlpatterns = [
    path("api/v1/", index),
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", unknown_path),
    path("config/", include("tandem.config.urls")),
    path("", include("tandem.web.urls")),
]

handler403 = "tandem.web.views.errors.permission_denied"
handler404 = "tandem.web.views.errors.page_not_found"
handler500 = "tandem.web.views.errors.server_error"
