"""A relation type's property rules hold after the link too, and a forced type deletion is
recorded on each entity that loses a relation."""

import pytest
from django.core.exceptions import ValidationError

from tandem.core.exceptions import ActionRefused, InUse
from tandem.core.models import HistoryEntry, Property, PropertyType, Relation
from tandem.core.services import (
    add_property,
    create_relation_type,
    delete_relation_type,
    link,
    remove_property,
)
from tandem.persons import constants as c

pytestmark = pytest.mark.django_db


@pytest.fixture
def vip() -> PropertyType:
    return PropertyType.objects.get(pk=c.PROP_IS_VIP)


def test_a_property_a_relation_requires_cannot_be_removed(user, make_org, our_company, vip):
    side, _reverse = create_relation_type(
        user=user,
        subject_predicate="is a key account of",
        object_predicate="has as key account",
        subject_properties=[vip],
    )
    b = make_org("B")
    add_property(user=user, entity=b, property_type=vip)
    link(user=user, subject=b, relation_type=side, object=our_company)
    with pytest.raises(ActionRefused, match="is a key account of ReplaceByYourCompany"):
        remove_property(user=user, entity=b, property_type=vip)
    assert Property.objects.filter(entity=b, type=vip).exists()


def test_a_property_a_relation_forbids_cannot_be_added(user, make_org, our_company, vip):
    side, _reverse = create_relation_type(
        user=user,
        subject_predicate="is a small client of",
        object_predicate="has as small client",
        subject_forbidden_properties=[vip],
    )
    b = make_org("B")
    link(user=user, subject=b, relation_type=side, object=our_company)
    with pytest.raises(ActionRefused, match="forbids it"):
        add_property(user=user, entity=b, property_type=vip)
    # The rule is the object's too: the reverse side forbids nothing on our company.
    add_property(user=user, entity=our_company, property_type=vip)


def test_forcing_a_type_deletion_records_the_lost_relations(user, make_org):
    side, _reverse = create_relation_type(
        user=user, subject_predicate="watches", object_predicate="is watched by"
    )
    a, b = make_org("A"), make_org("B")
    link(user=user, subject=a, relation_type=side, object=b)
    with pytest.raises(InUse):
        delete_relation_type(user=user, relation_type=side)
    delete_relation_type(user=user, relation_type=side, force=True)
    assert not Relation.objects.exists()
    for entity, other in ((a, "B"), (b, "A")):
        lost = HistoryEntry.objects.filter(entity=entity, kind="unrelated").get()
        assert lost.data["other_label"] == other and lost.user == user


def test_both_empty_verbs_are_told_at_once(user):
    with pytest.raises(ValidationError) as refused:
        create_relation_type(user=user, subject_predicate=" ", object_predicate="")
    assert set(refused.value.message_dict) == {"subject_predicate", "object_predicate"}
    assert "is a supplier of" in refused.value.message_dict["object_predicate"][0]
