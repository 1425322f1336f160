"""Configuration screens: relation types, property types, choice lists, managed organisations."""

from django.urls import path

from tandem.config import views

app_name = "config"

urlpatterns = [
    path("", views.home, name="home"),
    path("relation-types/", views.relation_types, name="relation_types"),
    path("relation-types/new/", views.relation_type_create, name="relation_type_create"),
    path("relation-types/<str:type_id>/edit/", views.relation_type_edit, name="relation_type_edit"),
    path(
        "relation-types/<str:type_id>/enable/",
        views.relation_type_enable,
        name="relation_type_enable",
    ),
    path(
        "relation-types/<str:type_id>/delete/",
        views.relation_type_delete,
        name="relation_type_delete",
    ),
    path("property-types/", views.property_types, name="property_types"),
    path("property-types/new/", views.property_type_form, name="property_type_create"),
    path("property-types/<str:type_id>/edit/", views.property_type_form, name="property_type_edit"),
    path(
        "property-types/<str:type_id>/enable/",
        views.property_type_enable,
        name="property_type_enable",
    ),
    path(
        "property-types/<str:type_id>/delete/",
        views.property_type_delete,
        name="property_type_delete",
    ),
    path("choice-lists/", views.choice_lists, name="choice_lists"),
    path("choice-lists/<slug:slug>/add/", views.choice_add, name="choice_add"),
    path("choice-lists/<slug:slug>/<int:pk>/rename/", views.choice_rename, name="choice_rename"),
    path("choice-lists/<slug:slug>/<int:pk>/move/", views.choice_move, name="choice_move"),
    path("choice-lists/<slug:slug>/<int:pk>/delete/", views.choice_delete, name="choice_delete"),
    path("managed-organisations/", views.managed_organisations, name="managed_organisations"),
    path(
        "managed-organisations/<uuid:uuid>/",
        views.set_organisation_managed,
        name="set_organisation_managed",
    ),
]
