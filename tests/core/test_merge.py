"""Merging two entities: chosen values, relations and properties moved, duplicates and
self-links dropped, history of both kept, a trace of the merged-away one."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.core.exceptions import ActionRefused, ConflictError
from tandem.core.models import Entity, HistoryEntry, Property, PropertyType, Relation
from tandem.core.services import add_property, create_entity, link, trash_entity
from tandem.core.services.merge import merge_entities
from tandem.persons import constants as c
from tandem.persons.models import Contact, Organisation
from tests.invariants import assert_pairs_are_consistent

pytestmark = pytest.mark.django_db


def merge(user, survivor, merged, take=()):
    survivor.refresh_from_db()
    merged.refresh_from_db()
    return merge_entities(
        user=user,
        survivor=survivor,
        merged=merged,
        take=take,
        survivor_version=survivor.version,
        merged_version=merged.version,
    )


def test_merge_moves_relations_and_properties_and_drops_duplicates(user, make_org, make_contact):
    keep, away = make_org("Acme"), make_org("ACME Inc.", email="hello@acme.example")
    partner, customer = make_org("Partner"), make_org("Customer")
    ann = make_contact("Ann")
    link(user=user, subject=keep, relation_type=c.REL_SUB_PARTNER, object=partner)
    link(user=user, subject=away, relation_type=c.REL_SUB_PARTNER, object=partner)  # duplicate
    link(user=user, subject=customer, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=away)
    link(user=user, subject=ann, relation_type=c.REL_SUB_EMPLOYED_BY, object=away)
    link(user=user, subject=keep, relation_type=c.REL_SUB_COMPETITOR, object=away)  # self-link
    vip = PropertyType.objects.get(pk=c.PROP_IS_VIP)
    add_property(user=user, entity=keep, property_type=vip)
    add_property(user=user, entity=away, property_type=vip)
    survivor = merge(user, keep, away, ["email"])
    assert survivor.email == "hello@acme.example" and survivor.name == "Acme"
    assert not Entity.objects.filter(pk=away.pk).exists()
    assert_pairs_are_consistent()
    triples = set(Relation.objects.filter(subject=keep).values_list("type_id", "object_id"))
    assert triples == {
        (c.REL_SUB_PARTNER, partner.pk),
        (c.REL_OBJ_CUSTOMER_SUPPLIER, customer.pk),
        (c.REL_OBJ_EMPLOYED_BY, ann.pk),
    }
    assert Property.objects.filter(entity=keep).count() == 1
    merged_line = HistoryEntry.objects.get(entity=keep, kind="merged")
    assert merged_line.data["other_label"] == "ACME Inc."
    assert merged_line.data["relations_moved"] == 2 and merged_line.data["relations_dropped"] == 2
    # The other's history now reads on the survivor; its trace stays under its own name.
    assert HistoryEntry.objects.filter(
        entity=keep, entity_label="ACME Inc.", kind="created"
    ).exists()
    trace = HistoryEntry.objects.get(entity=None, kind="merged", entity_label="ACME Inc.")
    assert trace.data["into_uuid"] == str(keep.uuid)


def test_merging_one_of_our_organisations_keeps_it_ours(user, make_org, our_company):
    other = make_org("Our Company (duplicate)")
    survivor = merge(user, other, our_company)
    assert Organisation.objects.get(pk=survivor.pk).is_managed


def test_the_survivor_takes_the_user_account(user, make_contact):
    keep, away = make_contact("Alice"), make_contact("Alice", "Martin")
    Contact.objects.filter(pk=away.pk).update(user=user)
    merge(user, keep, away)
    assert Contact.objects.get(pk=keep.pk).user == user


@pytest.mark.parametrize("problem", ["same", "types", "trashed", "stale"])
def test_refusals_leave_everything_as_it_was(user, make_org, make_contact, problem):
    keep, away = make_org("Keep"), make_org("Away")
    link(user=user, subject=away, relation_type=c.REL_SUB_PARTNER, object=make_org("P"))
    if problem == "same":
        away = keep
    elif problem == "types":
        away = make_contact("Person")
    elif problem == "trashed":
        trash_entity(user=user, entity=away)
    expected = ConflictError if problem == "stale" else ActionRefused
    with pytest.raises(expected):
        if problem == "stale":
            merge_entities(
                user=user, survivor=keep, merged=away, take=[], survivor_version=1, merged_version=0
            )
        else:
            merge(user, keep, away)
    assert Entity.objects.filter(pk=away.pk).exists()
    assert not HistoryEntry.objects.filter(kind="merged").exists()


relation_step = st.tuples(
    st.integers(0, 3),
    st.sampled_from([c.REL_SUB_PARTNER, c.REL_SUB_CUSTOMER_SUPPLIER, c.REL_SUB_COMPETITOR]),
    st.integers(0, 3),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(relation_step, max_size=12))
def test_after_any_merge_relations_stay_paired_and_nothing_links_to_itself(user, steps):
    with transaction.atomic():
        entities = [
            create_entity(user=user, model=Organisation, data={"name": f"Org {n}"})
            for n in range(4)
        ]
        for subject, relation_type, obj in steps:
            if (
                subject != obj
                and not Relation.objects.filter(
                    subject=entities[subject], type_id=relation_type, object=entities[obj]
                ).exists()
            ):
                link(
                    user=user,
                    subject=entities[subject],
                    relation_type=relation_type,
                    object=entities[obj],
                )
        keep, away = entities[0].pk, entities[1].pk
        # What the survivor should have: both entities' relations, except between the two.
        expected = {
            (relation_type, obj)
            for subject, relation_type, obj in Relation.objects.filter(
                subject__in=[keep, away]
            ).values_list("subject_id", "type_id", "object_id")
            if obj not in (keep, away)
        }
        merge(user, entities[0], entities[1])
        assert_pairs_are_consistent()
        assert not Relation.objects.filter(subject=entities[0], object=entities[0]).exists()
        after = set(
            Relation.objects.filter(subject=entities[0]).values_list("type_id", "object_id")
        )
        assert after == expected
        transaction.set_rollback(True)


def test_addresses_and_choices_are_taken_whole(user, make_org):
    from tandem.persons.models import Sector

    keep = make_org("Keep", billing_address={"city": "Lyon", "street": "1 rue A"})
    away = make_org(
        "Away", billing_address={"city": "Paris"}, sector=Sector.objects.get(name="Retail")
    )
    survivor = merge(user, keep, away, ["billing_address", "sector"])
    assert (survivor.billing_address.city, survivor.billing_address.street) == ("Paris", "")
    assert survivor.sector.name == "Retail"


def test_only_fields_of_the_forms_can_be_taken(user, make_org):
    from django.core.exceptions import ValidationError

    keep, away = make_org("Keep"), make_org("Away")
    with pytest.raises(ValidationError, match="not fields a merge can take: is_managed"):
        merge(user, keep, away, ["is_managed"])


def test_a_filter_naming_the_merged_away_entity_names_the_survivor(user, make_org, make_contact):
    from tandem.core.filters import apply_filter
    from tests.factories import relation_filter

    survivor, duplicate = make_org("Alpha"), make_org("Alpha (duplicate)")
    employee = make_contact("Eve", "Worker")
    link(user=user, subject=employee, relation_type=c.REL_SUB_EMPLOYED_BY, object=duplicate)
    employees = relation_filter(
        user, Contact, "Employees of the duplicate", c.REL_SUB_EMPLOYED_BY, duplicate
    )
    merge(user, survivor, duplicate)
    employees.refresh_from_db()
    assert employees.conditions[0]["entity"] == str(survivor.uuid)
    assert list(apply_filter(Contact.objects.all(), employees, user)) == [employee]
