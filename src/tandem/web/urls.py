from django.contrib.auth import views as auth_views
from django.urls import path

from tandem.web.views import account, entities, exports, filters, home, imports, relations, trash

entity = "<slug:type_slug>/<uuid:uuid>/"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", home.logout, name="logout"),
    path("language/", home.set_language, name="set_language"),
    path("health/", home.health, name="health"),
    path("account/", account.account, name="account"),
    path("account/tokens/<int:pk>/revoke/", account.token_revoke, name="token_revoke"),
    path("search/", home.search, name="search"),
    path("search/suggestions/", home.search_suggestions, name="search_suggestions"),
    path("trash/", trash.trash, name="trash"),
    path("trash/empty/", trash.empty_trash, name="trash_empty"),
    path("trash/<uuid:uuid>/restore/", trash.restore, name="trash_restore"),
    path("trash/<uuid:uuid>/delete/", trash.delete, name="trash_delete"),
    path("imports/", imports.import_start, name="import_start"),
    path("imports/<uuid:uuid>/", imports.import_job, name="import_job"),
    path("imports/<uuid:uuid>/preview/", imports.import_preview, name="import_preview"),
    path("imports/<uuid:uuid>/mapping/", imports.import_mapping, name="import_mapping"),
    path("imports/<uuid:uuid>/again/", imports.import_again, name="import_again"),
    path("imports/<uuid:uuid>/rejected.csv", imports.import_rejected, name="import_rejected"),
    path("filters/new/", filters.filter_create, name="filter_create"),
    path("filters/row/", filters.filter_row, name="filter_row"),
    path("filters/<int:pk>/", filters.filter_edit, name="filter_edit"),
    path("filters/<int:pk>/delete/", filters.filter_delete, name="filter_delete"),
    path("relations/<int:pk>/delete/", relations.relation_delete, name="relation_delete"),
    path("<slug:type_slug>/", entities.entity_list, name="entity_list"),
    path("<slug:type_slug>/new/", entities.entity_create, name="entity_create"),
    path("<slug:type_slug>/quick-create/", entities.quick_create, name="entity_quick_create"),
    path("<slug:type_slug>/bulk/", entities.entity_bulk, name="entity_bulk"),
    path("<slug:type_slug>/export/", exports.entity_export, name="entity_export"),
    path(entity, entities.entity_detail, name="entity_detail"),
    path(entity + "edit/", entities.entity_edit, name="entity_edit"),
    path(entity + "clone/", entities.entity_clone, name="entity_clone"),
    path(entity + "trash/", entities.entity_trash, name="entity_trash"),
    path(entity + "transform/", relations.transform, name="entity_transform"),
    path(entity + "relations/add/", relations.relation_add, name="relation_add"),
    path(entity + "relations/picker/", relations.relation_picker, name="relation_picker"),
    path(entity + "properties/add/", relations.property_add, name="property_add"),
    path(entity + "properties/remove/", relations.property_remove, name="property_remove"),
]
