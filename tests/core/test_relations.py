"""Linking and unlinking: pairs, refusals with clear messages, nothing half-written."""

import datetime

import pytest

from tandem.core.exceptions import PermissionDenied, RelationRefused
from tandem.core.models import HistoryEntry, Property, PropertyType, Relation, RelationType
from tandem.core.services import (
    add_property,
    create_relation_type,
    get_or_link,
    link,
    set_relation_type_enabled,
    trash_entity,
    unlink,
    update_relation,
)
from tandem.persons import constants as c
from tandem.persons.models import Contact, Organisation

pytestmark = pytest.mark.django_db


def test_link_writes_the_relation_and_its_reverse(user, make_org, our_company):
    customer = make_org("B")
    relation = link(
        user=user,
        subject=customer,
        relation_type=c.REL_SUB_CUSTOMER_SUPPLIER,
        object=our_company,
    )
    reverse = relation.reverse
    assert (reverse.subject_id, reverse.type_id, reverse.object_id) == (
        our_company.pk,
        c.REL_OBJ_CUSTOMER_SUPPLIER,
        customer.pk,
    )
    relation.refresh_from_db()
    assert relation.reverse_id == reverse.pk
    assert reverse.reverse_id == relation.pk
    assert Relation.objects.count() == 2


def test_link_shares_note_and_validity_period_with_the_reverse(user, make_org, make_contact):
    employer = make_org("X")
    marcel = make_contact("Marcel", "Dupont")
    relation = link(
        user=user,
        subject=marcel,
        relation_type=c.REL_SUB_EMPLOYED_BY,
        object=employer,
        note="Head of sales",
        start_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2022, 6, 30),
    )
    reverse = Relation.objects.get(pk=relation.reverse_id)
    assert (reverse.note, reverse.start_date, reverse.end_date) == (
        "Head of sales",
        datetime.date(2019, 1, 1),
        datetime.date(2022, 6, 30),
    )
    update_relation(user=user, relation=relation, note="CEO", start_date=None, end_date=None)
    reverse.refresh_from_db()
    assert (reverse.note, reverse.start_date) == ("CEO", None)


def test_link_refuses_a_period_that_ends_before_it_starts(user, make_org, make_contact):
    with pytest.raises(RelationRefused, match="ends before it starts"):
        link(
            user=user,
            subject=make_contact("Ann"),
            relation_type=c.REL_SUB_EMPLOYED_BY,
            object=make_org("X"),
            start_date=datetime.date(2022, 1, 1),
            end_date=datetime.date(2021, 1, 1),
        )
    assert not Relation.objects.exists()


def test_link_records_history_on_both_entities(user, make_org, our_company):
    customer = make_org("B")
    link(user=user, subject=customer, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=our_company)
    mine = HistoryEntry.objects.get(entity=customer, kind=HistoryEntry.Kind.RELATED)
    theirs = HistoryEntry.objects.get(entity=our_company, kind=HistoryEntry.Kind.RELATED)
    assert mine.data["predicate"] == "is a customer of"
    assert mine.data["other_label"] == our_company.label
    assert theirs.data["predicate"] == "is a supplier of"
    assert theirs.data["other_uuid"] == str(customer.uuid)
    assert mine.user == theirs.user == user


def test_link_refuses_a_contact_as_subject_of_an_organisation_only_type(
    user, make_org, make_contact
):
    with pytest.raises(RelationRefused) as refused:
        link(
            user=user,
            subject=make_org("A"),
            relation_type=c.REL_SUB_SUBSIDIARY,
            object=make_contact("Marcel"),
        )
    assert "“A”" in refused.value.message
    assert "has as subsidiary" in refused.value.message
    assert "“Marcel”" in refused.value.message
    assert "contact" in refused.value.message
    assert not Relation.objects.exists()


def test_link_refuses_an_organisation_as_subject_of_a_contact_only_type(user, make_org):
    with pytest.raises(RelationRefused, match="organisation"):
        link(
            user=user,
            subject=make_org("A"),
            relation_type=c.REL_SUB_EMPLOYED_BY,
            object=make_org("B"),
        )


def test_link_refuses_an_entity_linked_to_itself(user, make_org):
    b = make_org("B")
    with pytest.raises(RelationRefused, match="itself"):
        link(user=user, subject=b, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=b)
    assert not Relation.objects.exists()


def test_link_refuses_a_trashed_subject_or_object(user, make_org):
    a, b = make_org("A"), make_org("B")
    trash_entity(user=user, entity=b)
    b.refresh_from_db()
    for subject, obj in ((a, b), (b, a)):
        with pytest.raises(RelationRefused, match="“B” is in the trash"):
            link(user=user, subject=subject, relation_type=c.REL_SUB_PARTNER, object=obj)
    assert not Relation.objects.exists()


def test_link_refuses_a_disabled_type(user, make_org, relation_type):
    set_relation_type_enabled(
        user=user, relation_type=relation_type(c.REL_SUB_PARTNER), enabled=False
    )
    assert not relation_type(c.REL_OBJ_PARTNER).enabled
    with pytest.raises(RelationRefused, match="disabled"):
        link(
            user=user, subject=make_org("A"), relation_type=c.REL_SUB_PARTNER, object=make_org("B")
        )


def test_link_refuses_an_internal_type_through_the_public_service(user, make_org):
    side, _reverse = create_relation_type(
        user=user, subject_predicate="is mirrored by", object_predicate="mirrors"
    )
    RelationType.objects.filter(pk__in=[side.pk, side.reverse_id]).update(is_internal=True)
    side.refresh_from_db()
    a, b = make_org("A"), make_org("B")
    with pytest.raises(RelationRefused, match="reserved"):
        link(user=user, subject=a, relation_type=side, object=b)
    relation = link(user=user, subject=a, relation_type=side, object=b, allow_internal=True)
    with pytest.raises(RelationRefused, match="cannot be removed by hand"):
        unlink(user=user, relation=relation)
    unlink(user=user, relation=relation, allow_internal=True)
    assert not Relation.objects.exists()


def test_link_refuses_a_duplicate_but_get_or_link_returns_the_existing(user, make_org):
    a, b = make_org("A"), make_org("B")
    first = link(user=user, subject=a, relation_type=c.REL_SUB_PARTNER, object=b)
    with pytest.raises(RelationRefused, match="already exists"):
        link(user=user, subject=a, relation_type=c.REL_SUB_PARTNER, object=b)
    # The reverse side is the same pair seen from the other end: also a duplicate.
    with pytest.raises(RelationRefused, match="already exists"):
        link(user=user, subject=b, relation_type=c.REL_OBJ_PARTNER, object=a)
    again, created = get_or_link(user=user, subject=a, relation_type=c.REL_SUB_PARTNER, object=b)
    assert (again.pk, created) == (first.pk, False)
    assert Relation.objects.count() == 2


def test_get_or_link_creates_when_missing(user, make_org):
    relation, created = get_or_link(
        user=user, subject=make_org("A"), relation_type=c.REL_SUB_PARTNER, object=make_org("B")
    )
    assert created and relation.reverse_id


def test_link_refuses_an_unknown_type(user, make_org):
    with pytest.raises(RelationRefused, match="does not exist"):
        link(user=user, subject=make_org("A"), relation_type="nope", object=make_org("B"))


def _vip_only_pair(user):
    vip = PropertyType.objects.get(pk=c.PROP_IS_VIP)
    side, _reverse = create_relation_type(
        user=user,
        subject_predicate="sponsors",
        object_predicate="is sponsored by",
        subject_properties=[vip],
        object_forbidden_properties=[vip],
    )
    return vip, side


def test_link_refuses_a_subject_without_a_required_property(user, make_org):
    vip, side = _vip_only_pair(user)
    a, b = make_org("A"), make_org("B")
    with pytest.raises(RelationRefused, match="“A” must have the property “is a VIP”"):
        link(user=user, subject=a, relation_type=side, object=b)
    add_property(user=user, entity=a, property_type=vip)
    link(user=user, subject=a, relation_type=side, object=b)


def test_link_refuses_an_object_with_a_forbidden_property(user, make_org):
    vip, side = _vip_only_pair(user)
    a, b = make_org("A"), make_org("B")
    for entity in (a, b):
        add_property(user=user, entity=entity, property_type=vip)
    with pytest.raises(RelationRefused, match="“B” must not have the property “is a VIP”"):
        link(user=user, subject=a, relation_type=side, object=b)
    assert not Relation.objects.exists()


def test_custom_type_limits_subject_and_object_types(user, make_org, make_contact):
    org_type = Organisation.get_entity_type()
    side, _reverse = create_relation_type(
        user=user,
        subject_predicate="is a prospect of",
        object_predicate="has as prospect",
        subject_types=[org_type],
        object_types=[org_type],
    )
    link(user=user, subject=make_org("C"), relation_type=side, object=make_org("D"))
    with pytest.raises(RelationRefused, match="object"):
        link(user=user, subject=make_org("E"), relation_type=side, object=make_contact("Zoe"))


def test_unlink_removes_both_sides_and_records_history(user, make_org):
    a, b = make_org("A"), make_org("B")
    relation = link(user=user, subject=a, relation_type=c.REL_SUB_PARTNER, object=b)
    unlink(user=user, relation=Relation.objects.get(pk=relation.reverse_id))
    assert not Relation.objects.exists()
    kinds = set(
        HistoryEntry.objects.filter(kind=HistoryEntry.Kind.UNRELATED).values_list(
            "entity_id", flat=True
        )
    )
    assert kinds == {a.pk, b.pk}


def test_link_refuses_an_inactive_user(user, make_org):
    a, b = make_org("A"), make_org("B")
    user.is_active = False
    with pytest.raises(PermissionDenied):
        link(user=user, subject=a, relation_type=c.REL_SUB_PARTNER, object=b)


def test_properties_are_unchanged_by_a_refused_link(user, make_org):
    _vip, side = _vip_only_pair(user)
    with pytest.raises(RelationRefused):
        link(user=user, subject=make_org("A"), relation_type=side, object=make_org("B"))
    assert not Property.objects.exists()
    assert not HistoryEntry.objects.filter(kind=HistoryEntry.Kind.RELATED).exists()


def test_contact_type_is_accepted_where_allowed(user, make_contact, our_company):
    relation = link(
        user=user, subject=make_contact("Ann"), relation_type=c.REL_SUB_PROSPECT, object=our_company
    )
    assert Contact.objects.get(pk=relation.subject_id).first_name == "Ann"


def test_relations_of_an_entity_are_in_alphabetical_order_ignoring_accents(user, make_org):
    from tandem.core.selectors import relations_of

    hub = make_org("Hub")
    for name in ("Zèbre", "Énergie", "alpha"):
        link(user=user, subject=hub, relation_type=c.REL_SUB_PARTNER, object=make_org(name))
    assert [relation.object.label for relation in relations_of(hub)] == [
        "alpha",
        "Énergie",
        "Zèbre",
    ]
