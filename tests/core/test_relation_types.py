"""Configuring relation types: custom pairs, rewording, enabling, deleting."""

import pytest
from django.core.exceptions import ValidationError

from tandem.core.exceptions import ActionRefused
from tandem.core.models import RelationType
from tandem.core.selectors import relation_types_for
from tandem.core.services import (
    create_relation_type,
    delete_relation_type,
    link,
    set_relation_type_enabled,
    update_relation_type,
)
from tandem.persons import constants as c
from tandem.persons.models import Organisation

pytestmark = pytest.mark.django_db


def test_custom_pair_is_created_with_both_sides(user):
    org = Organisation.get_entity_type()
    side, reverse = create_relation_type(
        user=user,
        subject_predicate=" is a prospect of ",
        object_predicate="has as prospect",
        subject_types=[org],
        object_types=[org],
    )
    assert (side.reverse_id, reverse.reverse_id) == (reverse.pk, side.pk)
    assert side.predicate == "is a prospect of" and side.is_custom
    assert list(reverse.subject_types.all()) == [org]


def test_a_predicate_is_required(user):
    with pytest.raises(ValidationError) as error:
        create_relation_type(user=user, subject_predicate="  ", object_predicate="x")
    assert "subject_predicate" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        create_relation_type(user=user, subject_predicate="x", object_predicate="y" * 101)
    assert "object_predicate" in error.value.message_dict
    assert not RelationType.objects.filter(is_custom=True).exists()


def test_relation_types_offered_for_an_entity_follow_allowed_types(user, make_org, make_contact):
    org = Organisation.get_entity_type()
    side, _reverse = create_relation_type(
        user=user,
        subject_predicate="audits",
        object_predicate="is audited by",
        subject_types=[org],
    )
    assert side in relation_types_for(make_org("A"))
    offered_to_contact = set(relation_types_for(make_contact("Ann")))
    assert side not in offered_to_contact
    assert RelationType.objects.get(pk=c.REL_SUB_EMPLOYED_BY) in offered_to_contact
    set_relation_type_enabled(user=user, relation_type=side, enabled=False)
    assert side not in relation_types_for(make_org("B"))


def test_builtin_types_can_be_disabled_but_not_changed_or_deleted(user):
    builtin = RelationType.objects.get(pk=c.REL_SUB_PARTNER)
    with pytest.raises(ActionRefused, match="built-in"):
        update_relation_type(
            user=user, relation_type=builtin, subject_predicate="a", object_predicate="b"
        )
    with pytest.raises(ActionRefused, match="built-in"):
        delete_relation_type(user=user, relation_type=builtin)
    set_relation_type_enabled(user=user, relation_type=builtin, enabled=False)
    assert not RelationType.objects.filter(
        pk__in=[c.REL_SUB_PARTNER, c.REL_OBJ_PARTNER], enabled=True
    ).exists()


def test_custom_type_is_reworded_and_deleted(user, make_org):
    side, reverse = create_relation_type(user=user, subject_predicate="a", object_predicate="b")
    update_relation_type(
        user=user, relation_type=side, subject_predicate="advises", object_predicate="is advised by"
    )
    reverse.refresh_from_db()
    assert reverse.predicate == "is advised by"
    relation = link(user=user, subject=make_org("A"), relation_type=side, object=make_org("B"))
    with pytest.raises(ActionRefused, match="used by relations"):
        delete_relation_type(user=user, relation_type=side)
    delete_relation_type(user=user, relation_type=side, force=True)
    assert not RelationType.objects.filter(pk__in=[side.pk, reverse.pk]).exists()
    assert not type(relation).objects.exists()
