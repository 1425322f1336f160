"""/api/v1/relation-types and /api/v1/property-types."""

from __future__ import annotations

import pytest

from tandem.core.models import PropertyType, Relation, RelationType
from tandem.core.services import link
from tandem.persons import constants as c

from .conftest import assert_problem

pytestmark = pytest.mark.django_db

SIDE_KEYS = {
    "id",
    "predicate",
    "reverse",
    "subject_types",
    "subject_properties",
    "subject_forbidden_properties",
    "is_custom",
    "is_internal",
    "is_copiable",
    "enabled",
}


def test_relation_types_are_listed_as_sides(api):
    sides = {side["id"]: side for side in api.get("relation-types").json()}
    assert len(sides) == RelationType.objects.count()
    employed = sides[c.REL_SUB_EMPLOYED_BY]
    assert set(employed) == SIDE_KEYS
    assert employed["predicate"] == "is an employee of"
    assert employed["reverse"] == c.REL_OBJ_EMPLOYED_BY
    assert employed["subject_types"] == ["contacts"]
    assert sides[c.REL_OBJ_EMPLOYED_BY]["subject_types"] == ["organisations"]
    assert sides[c.REL_SUB_CUSTOMER_SUPPLIER]["subject_types"] == ["contacts", "organisations"]
    assert employed["is_custom"] is False


def test_create_a_custom_pair(api):
    response = api.post(
        "relation-types",
        {
            "subject_predicate": "is a prospect of",
            "object_predicate": "has as prospect",
            "subject_types": ["organisations"],
            "object_types": ["organisations"],
            "subject_properties": [c.PROP_IS_VIP],
        },
    )
    assert response.status_code == 201, response.content
    pair = response.json()
    assert pair["side"]["predicate"] == "is a prospect of" and pair["side"]["is_custom"]
    assert pair["side"]["reverse"] == pair["reverse"]["id"]
    assert pair["side"]["subject_properties"] == [c.PROP_IS_VIP]
    assert pair["reverse"]["subject_types"] == ["organisations"]
    assert (
        api.get(f"relation-types/{pair['reverse']['id']}").json()["predicate"] == "has as prospect"
    )


def test_create_refuses_unknown_types_and_empty_verbs(api):
    before = RelationType.objects.count()
    body = assert_problem(
        api.post(
            "relation-types",
            {
                "subject_predicate": "likes",
                "object_predicate": "is liked by",
                "subject_types": ["cats"],
            },
        ),
        400,
        "subject_types",
    )
    assert "cats" in body["errors"]["subject_types"][0]
    assert_problem(
        api.post("relation-types", {"subject_predicate": " ", "object_predicate": "x"}),
        400,
        "subject_predicate",
    )
    assert_problem(
        api.post(
            "relation-types",
            {"subject_predicate": "a", "object_predicate": "b", "subject_properties": ["nope"]},
        ),
        400,
        "subject_properties",
    )
    assert RelationType.objects.count() == before


def test_any_type_can_be_disabled_but_built_in_ones_not_changed(api):
    response = api.patch(f"relation-types/{c.REL_SUB_PARTNER}", {"enabled": False})
    assert response.status_code == 200 and response.json()["enabled"] is False
    assert not RelationType.objects.get(pk=c.REL_OBJ_PARTNER).enabled
    body = assert_problem(
        api.patch(f"relation-types/{c.REL_SUB_PARTNER}", {"subject_predicate": "is a friend of"}),
        403,
    )
    assert "built-in" in body["detail"]
    assert_problem(api.delete(f"relation-types/{c.REL_SUB_PARTNER}"), 403)
    assert_problem(api.patch("relation-types/nope", {"enabled": True}), 404)


def test_a_custom_pair_is_changed_from_either_side(api):
    pair = api.post(
        "relation-types", {"subject_predicate": "mentors", "object_predicate": "is mentored by"}
    ).json()
    response = api.patch(
        f"relation-types/{pair['reverse']['id']}",
        {"subject_predicate": "is coached by", "subject_types": ["contacts"]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["predicate"] == "is coached by"
    assert response.json()["subject_types"] == ["contacts"]
    side = RelationType.objects.get(pk=pair["side"]["id"])
    assert side.predicate == "mentors"


def test_deleting_a_type_in_use_needs_force(api, user, make_org):
    pair = api.post(
        "relation-types", {"subject_predicate": "watches", "object_predicate": "is watched by"}
    ).json()
    link(user=user, subject=make_org("A"), relation_type=pair["side"]["id"], object=make_org("B"))
    body = assert_problem(api.delete(f"relation-types/{pair['side']['id']}"), 409)
    assert "force" in body["detail"]
    assert api.delete(f"relation-types/{pair['side']['id']}", force="true").status_code == 204
    assert not RelationType.objects.filter(
        pk__in=[pair["side"]["id"], pair["reverse"]["id"]]
    ).exists()
    assert not Relation.objects.exists()


def test_property_types_list_and_create(api):
    listed = {item["id"]: item for item in api.get("property-types").json()}
    assert listed[c.PROP_IS_SALESMAN] == {
        "id": c.PROP_IS_SALESMAN,
        "label": "is a salesman",
        "subject_types": ["contacts"],
        "is_custom": False,
        "enabled": True,
    }
    response = api.post(
        "property-types", {"label": "is a reseller", "subject_types": ["organisations"]}
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["is_custom"] and created["subject_types"] == ["organisations"]
    assert PropertyType.objects.get(pk=created["id"]).text == "is a reseller"
    assert_problem(api.post("property-types", {"label": ""}), 400, "label")
    assert_problem(
        api.post("property-types", {"label": "x", "subject_types": ["dogs"]}), 400, "subject_types"
    )


def test_property_type_labels_are_translated(api_fr):
    listed = {item["id"]: item["label"] for item in api_fr.get("property-types").json()}
    assert listed[c.PROP_IS_VIP] != "is a VIP"


def test_an_empty_verb_in_a_patch_is_refused_not_ignored(api):
    pair = api.post(
        "relation-types", {"subject_predicate": "mentors", "object_predicate": "is mentored by"}
    ).json()
    assert_problem(
        api.patch(f"relation-types/{pair['side']['id']}", {"subject_predicate": ""}),
        400,
        "subject_predicate",
    )
    assert RelationType.objects.get(pk=pair["side"]["id"]).predicate == "mentors"
