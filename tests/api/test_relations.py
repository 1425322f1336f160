"""/api/v1/relations, an entity's relations, properties and history through the API."""

from __future__ import annotations

import uuid

import pytest

from tandem.core.models import HistoryEntry, PropertyType, Relation, RelationType
from tandem.core.services import create_relation_type, link, set_relation_type_enabled
from tandem.persons import constants as c

from .conftest import assert_problem

pytestmark = pytest.mark.django_db


def _relate(api, subject, type_id, obj, **extra):
    return api.post(
        "relations",
        {"subject": str(subject.uuid), "type": type_id, "object": str(obj.uuid), **extra},
    )


def test_linking_creates_the_pair_and_answers_with_the_reverse_id(api, make_contact, make_org):
    marcel, acme = make_contact("Marcel", "Dupont"), make_org("Acme")
    response = _relate(
        api,
        marcel,
        c.REL_SUB_EMPLOYED_BY,
        acme,
        note="Head of sales",
        start="2019-01-01",
        end="2022-06-30",
    )
    assert response.status_code == 201, response.content
    relation = response.json()
    assert relation["predicate"] == "is an employee of" and relation["object_label"] == "Acme"
    assert relation["object_type"] == "organisations"
    assert (relation["start"], relation["end"], relation["note"]) == (
        "2019-01-01",
        "2022-06-30",
        "Head of sales",
    )
    reverse = Relation.objects.get(pk=relation["reverse"])
    assert (reverse.subject_id, reverse.type_id, reverse.object_id) == (
        acme.pk,
        c.REL_OBJ_EMPLOYED_BY,
        marcel.pk,
    )
    assert reverse.note == "Head of sales"


def test_predicates_are_translated_for_the_caller(api_fr, make_contact, make_org):
    response = _relate(api_fr, make_contact("Marcel"), c.REL_SUB_EMPLOYED_BY, make_org("Acme"))
    assert response.json()["predicate"] == "est salarié de"


def test_a_duplicate_is_a_409_conflict(api, make_contact, make_org):
    marcel, acme = make_contact("Marcel"), make_org("Acme")
    assert _relate(api, marcel, c.REL_SUB_EMPLOYED_BY, acme).status_code == 201
    body = assert_problem(_relate(api, marcel, c.REL_SUB_EMPLOYED_BY, acme), 409)
    assert "already exists" in body["detail"] and "Marcel" in body["detail"]
    assert Relation.objects.count() == 2


@pytest.mark.parametrize(
    "case",
    ["wrong type", "self", "trashed", "disabled", "missing property", "bad period", "internal"],
)
def test_rule_breaking_links_are_400_with_nothing_written(api, user, make_contact, make_org, case):
    marcel, acme = make_contact("Marcel"), make_org("Acme")
    subject, type_id, obj, extra = marcel, c.REL_SUB_EMPLOYED_BY, acme, {}
    if case == "wrong type":
        subject, obj = acme, marcel  # an organisation is not "an employee of" a contact
    elif case == "self":
        subject, type_id, obj = acme, c.REL_SUB_SUBSIDIARY, acme
    elif case == "trashed":
        api.delete(f"organisations/{acme.uuid}")
    elif case == "disabled":
        set_relation_type_enabled(
            user=user, relation_type=RelationType.objects.get(pk=type_id), enabled=False
        )
    elif case == "missing property":
        side, _reverse = create_relation_type(
            user=user,
            subject_predicate="is coached by",
            object_predicate="coaches",
            subject_properties=[PropertyType.objects.get(pk=c.PROP_IS_VIP)],
        )
        type_id = side.pk
    elif case == "bad period":
        extra = {"start": "2022-01-01", "end": "2021-01-01"}
    elif case == "internal":
        side = RelationType.objects.create(
            id="test-internal", predicate="is watched by", is_internal=True, is_custom=False
        )
        reverse = RelationType.objects.create(
            id="test-internal-rev",
            predicate="watches",
            reverse=side,
            is_internal=True,
            is_custom=False,
        )
        side.reverse = reverse
        side.save()
        type_id = side.pk
    before = Relation.objects.count()
    body = assert_problem(_relate(api, subject, type_id, obj, **extra), 400)
    assert "Cannot link" in body["detail"] or "validity" in body["detail"]
    assert Relation.objects.count() == before


def test_unknown_entities_and_types_are_404(api, make_contact, make_org):
    marcel, acme = make_contact("Marcel"), make_org("Acme")
    body = assert_problem(
        api.post(
            "relations",
            {"subject": str(uuid.uuid4()), "type": c.REL_SUB_EMPLOYED_BY, "object": str(acme.uuid)},
        ),
        404,
    )
    assert "subject" in body["detail"]
    assert_problem(_relate(api, marcel, "no-such-type", acme), 404)
    assert_problem(
        api.post("relations", {"subject": "x", "type": "y", "object": "z"}),
        400,
        "subject",
        "object",
    )
    assert_problem(api.post("relations", {"type": c.REL_SUB_EMPLOYED_BY}), 400, "subject", "object")


def test_list_filters_and_pages(api, user, make_contact, make_org, our_company):
    acme = make_org("Acme")
    people = [make_contact(f"P{index}") for index in range(5)]
    for person in people:
        link(user=user, subject=person, relation_type=c.REL_SUB_EMPLOYED_BY, object=acme)
    link(user=user, subject=acme, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=our_company)
    page = api.get("relations", subject=str(acme.uuid), limit=3).json()
    assert len(page["items"]) == 3 and page["next"]
    rest = api.get("relations", subject=str(acme.uuid), limit=3, cursor=page["next"]).json()
    assert len(rest["items"]) == 3 and rest["next"] is None
    employs = api.get("relations", subject=str(acme.uuid), type=c.REL_OBJ_EMPLOYED_BY).json()[
        "items"
    ]
    assert sorted(item["object_label"] for item in employs) == [f"P{index}" for index in range(5)]
    both = api.get("relations", subject=str(people[0].uuid), object=str(acme.uuid)).json()["items"]
    assert [item["type"] for item in both] == [c.REL_SUB_EMPLOYED_BY]


def test_get_and_delete_remove_both_sides(api, user, make_contact, make_org):
    marcel, acme = make_contact("Marcel"), make_org("Acme")
    relation = link(user=user, subject=marcel, relation_type=c.REL_SUB_EMPLOYED_BY, object=acme)
    assert api.get(f"relations/{relation.pk}").json()["reverse"] == relation.reverse_id
    assert api.delete(f"relations/{relation.reverse_id}").status_code == 204
    assert not Relation.objects.exists()
    assert HistoryEntry.objects.filter(entity=marcel, kind="unrelated").exists()
    assert_problem(api.delete(f"relations/{relation.pk}"), 404)
    assert_problem(api.get("relations/0"), 400)


def test_bulk_links_many_with_a_result_per_item(api, user, make_contact, make_org):
    acme = make_org("Acme")
    people = [make_contact(f"P{index}") for index in range(3)]
    link(user=user, subject=people[1], relation_type=c.REL_SUB_EMPLOYED_BY, object=acme)
    items = [
        {"subject": str(person.uuid), "type": c.REL_SUB_EMPLOYED_BY, "object": str(acme.uuid)}
        for person in people
    ] + [{"subject": str(uuid.uuid4()), "type": c.REL_SUB_EMPLOYED_BY, "object": str(acme.uuid)}]
    response = api.post("relations/bulk", {"items": items})
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["created"], result["failed"]) == (2, 2)
    assert [item["status"] for item in result["results"]] == [201, 409, 201, 404]
    assert "already exists" in result["results"][1]["error"]["detail"]
    assert Relation.objects.filter(type=c.REL_SUB_EMPLOYED_BY).count() == 3


def test_bulk_refuses_more_than_500_items(api, make_contact, make_org):
    item = {
        "subject": str(uuid.uuid4()),
        "type": c.REL_SUB_EMPLOYED_BY,
        "object": str(uuid.uuid4()),
    }
    assert_problem(api.post("relations/bulk", {"items": [item] * 501}), 413)


def test_an_entitys_relations_grouped_by_type(api, user, make_contact, make_org, our_company):
    acme, globex = make_org("Acme"), make_org("Globex")
    link(user=user, subject=acme, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=our_company)
    link(user=user, subject=acme, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=globex)
    link(
        user=user, subject=make_contact("Marcel"), relation_type=c.REL_SUB_EMPLOYED_BY, object=acme
    )
    groups = api.get(f"organisations/{acme.uuid}/relations").json()
    by_type = {
        group["predicate"]: [r["object_label"] for r in group["relations"]] for group in groups
    }
    assert by_type == {
        "employs": ["Marcel"],
        "is a customer of": ["Globex", "ReplaceByYourCompany"],
    }


def test_history_newest_first_in_pages(api, user, make_org):
    acme = make_org("Acme")
    for version in range(1, 4):
        api.patch(f"organisations/{acme.uuid}", {"version": version, "name": f"Acme {version}"})
    page = api.get(f"organisations/{acme.uuid}/history", limit=2).json()
    assert [entry["kind"] for entry in page["items"]] == ["edited", "edited"]
    assert page["items"][0]["data"]["changes"][0]["new"] == "Acme 3"
    assert page["items"][0]["user"] == "alice"
    rest = api.get(f"organisations/{acme.uuid}/history", limit=2, cursor=page["next"]).json()
    assert [entry["kind"] for entry in rest["items"]] == ["edited", "created"]


def test_properties_add_list_remove(api, make_contact, make_org):
    marcel, acme = make_contact("Marcel"), make_org("Acme")
    response = api.post(f"contacts/{marcel.uuid}/properties", {"type": c.PROP_IS_SALESMAN})
    assert response.status_code == 201 and response.json()["label"] == "is a salesman"
    assert api.get(f"contacts/{marcel.uuid}/properties").json() == [
        {"type": c.PROP_IS_SALESMAN, "label": "is a salesman"}
    ]
    assert_problem(
        api.post(f"contacts/{marcel.uuid}/properties", {"type": c.PROP_IS_SALESMAN}), 409
    )
    # "is a salesman" applies to contacts only.
    assert_problem(
        api.post(f"organisations/{acme.uuid}/properties", {"type": c.PROP_IS_SALESMAN}), 400
    )
    assert_problem(api.post(f"contacts/{marcel.uuid}/properties", {"type": "nope"}), 404)
    assert api.delete(f"contacts/{marcel.uuid}/properties/{c.PROP_IS_SALESMAN}").status_code == 204
    assert_problem(api.delete(f"contacts/{marcel.uuid}/properties/{c.PROP_IS_SALESMAN}"), 404)
    assert [entry.kind for entry in HistoryEntry.objects.filter(entity=marcel)][:2] == [
        "property_removed",
        "property_added",
    ]


def test_bulk_answers_a_malformed_item_alone(api, make_contact, make_org):
    acme, marcel = make_org("Acme"), make_contact("Marcel")
    good = {"subject": str(marcel.uuid), "type": c.REL_SUB_EMPLOYED_BY, "object": str(acme.uuid)}
    response = api.post("relations/bulk", {"items": [{"subject": "bad"}, "text", good]})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [item["status"] for item in results] == [400, 400, 201]
    assert "subject" in results[0]["error"]["errors"] and "type" in results[0]["error"]["errors"]


def test_removing_a_relation_twice_is_refused_and_recorded_once(user, make_contact, make_org):
    from tandem.core.exceptions import NotFound
    from tandem.core.services import unlink

    marcel, acme = make_contact("Marcel"), make_org("Acme")
    relation = link(user=user, subject=marcel, relation_type=c.REL_SUB_EMPLOYED_BY, object=acme)
    unlink(user=user, relation=relation)
    # A second caller that read the relation before it went (a race) is told it is gone.
    with pytest.raises((NotFound, Relation.DoesNotExist)):
        unlink(user=user, relation=relation)
    assert HistoryEntry.objects.filter(entity=marcel, kind="unrelated").count() == 1


def test_restoring_twice_restores_once(api, user, make_org):
    from tandem.core.exceptions import ActionRefused
    from tandem.core.services import restore_entity, trash_entity

    acme = make_org("Acme")
    trash_entity(user=user, entity=acme)
    stale = type(acme).objects.get(pk=acme.pk)  # read by a second caller before the restore
    restore_entity(user=user, entity=acme)
    with pytest.raises(ActionRefused):
        restore_entity(user=user, entity=stale)
    assert HistoryEntry.objects.filter(entity=acme, kind="restored").count() == 1
