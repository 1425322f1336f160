"""Property tests: whatever users do, relations stay in consistent pairs."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.core.exceptions import ActionRefused, RelationRefused
from tandem.core.models import Entity, PropertyType, Relation
from tandem.core.services import (
    add_property,
    create_entity,
    delete_entity,
    link,
    restore_entity,
    trash_entity,
    unlink,
)
from tandem.persons import constants as c
from tandem.persons.models import Contact, Organisation
from tests.invariants import assert_pairs_are_consistent

pytestmark = pytest.mark.django_db

ENTITY_COUNT = 5
TYPES = [
    c.REL_SUB_CUSTOMER_SUPPLIER,
    c.REL_OBJ_CUSTOMER_SUPPLIER,
    c.REL_SUB_EMPLOYED_BY,
    c.REL_SUB_COMPETITOR,
    c.REL_SUB_SUBSIDIARY,
]
index = st.integers(min_value=0, max_value=ENTITY_COUNT - 1)
operation = st.one_of(
    st.tuples(st.just("link"), index, st.sampled_from(TYPES), index),
    st.tuples(st.just("unlink"), st.integers(min_value=0, max_value=50)),
    st.tuples(st.just("trash"), index),
    st.tuples(st.just("restore"), index),
    st.tuples(st.just("delete"), index),
    st.tuples(st.just("add_property"), index),
)


def _apply(user, entities, step) -> None:
    kind, *args = step
    live = Entity.objects.filter(pk__in=[e.pk for e in entities])
    by_position = {pos: live.filter(pk=e.pk).first() for pos, e in enumerate(entities)}
    if kind == "link":
        subject, obj = by_position[args[0]], by_position[args[2]]
        if subject and obj:
            link(
                user=user,
                subject=subject.get_real_entity(),
                relation_type=args[1],
                object=obj.get_real_entity(),
            )
    elif kind == "unlink":
        relations = list(Relation.objects.order_by("pk"))
        if relations:
            unlink(user=user, relation=relations[args[0] % len(relations)])
    elif by_position[args[0]] is not None:
        entity = by_position[args[0]]
        if kind == "trash":
            trash_entity(user=user, entity=entity)
        elif kind == "restore":
            restore_entity(user=user, entity=entity)
        elif kind == "delete":
            delete_entity(user=user, entity=entity)
        else:
            add_property(
                user=user, entity=entity, property_type=PropertyType.objects.get(pk=c.PROP_IS_VIP)
            )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operation, max_size=20))
def test_any_sequence_of_operations_keeps_every_relation_paired(user, steps):
    with transaction.atomic():
        entities = [
            create_entity(user=user, model=Organisation, data={"name": f"Org {n}"})
            for n in range(ENTITY_COUNT - 2)
        ] + [
            create_entity(user=user, model=Contact, data={"first_name": f"Person {n}"})
            for n in range(2)
        ]
        for step in steps:
            try:
                with transaction.atomic():
                    _apply(user, entities, step)
            except (RelationRefused, ActionRefused):
                pass
            assert_pairs_are_consistent()
        transaction.set_rollback(True)
