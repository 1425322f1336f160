"""Entities: denormalised label and search text, history, locking, trash and deletion."""

import pytest
from django.core.exceptions import ValidationError

from tandem.core.exceptions import ActionRefused, ConflictError, PermissionDenied
from tandem.core.models import Entity, HistoryEntry, Property, PropertyType, Relation
from tandem.core.selectors import search_entities
from tandem.core.services import (
    add_property,
    create_entity,
    delete_entity,
    link,
    remove_property,
    restore_entity,
    trash_entity,
    update_entity,
)
from tandem.persons import constants as c
from tandem.persons.models import Contact, Organisation
from tandem.persons.services import set_managed

pytestmark = pytest.mark.django_db


def test_create_sets_type_owner_label_and_folded_search_text(user, make_org):
    organisation = make_org("Société Générale", email="contact@sg.example")
    entity = Entity.objects.get(pk=organisation.pk)
    assert entity.entity_type.model_class() is Organisation
    assert entity.owner == entity.created_by == user
    assert entity.label == "Société Générale"
    assert "societe generale" in entity.search_text
    assert entity.version == 1
    assert isinstance(entity.get_real_entity(), Organisation)


def test_search_is_case_and_accent_blind(make_org, make_contact):
    make_org("Société Générale")
    make_contact("Zoë", "Ørsted")
    assert [e.label for e in search_entities("SOCIETE generale")] == ["Société Générale"]
    assert [e.label for e in search_entities("zoe orsted")] == ["Zoë Ørsted"]
    assert list(search_entities("100%_")) == []


def test_label_and_search_text_follow_every_update(user, make_org):
    organisation = make_org("Old name")
    updated = update_entity(
        user=user, entity=organisation, data={"name": "Électricité Neuve"}, version=1
    )
    entity = Entity.objects.get(pk=organisation.pk)
    assert (entity.label, updated.version) == ("Électricité Neuve", 2)
    assert "electricite neuve" in entity.search_text
    assert "old name" not in entity.search_text


def test_create_records_history(user, make_org):
    organisation = make_org("A")
    entry = HistoryEntry.objects.get(entity=organisation)
    assert (entry.kind, entry.user, entry.entity_label) == ("created", user, "A")


def test_update_records_each_changed_field_old_to_new(user, make_org):
    organisation = make_org("A", website="a.example")
    update_entity(
        user=user,
        entity=organisation,
        data={"name": "A2", "website": "a.example", "billing_address": {"city": "Lyon"}},
        version=1,
    )
    entry = HistoryEntry.objects.get(entity=organisation, kind=HistoryEntry.Kind.EDITED)
    assert entry.data["changes"] == [
        {"field": "name", "old": "A", "new": "A2"},
        {"field": "billing_address.city", "old": "", "new": "Lyon"},
    ]


def test_update_without_change_keeps_the_version(user, make_org):
    organisation = make_org("A")
    updated = update_entity(user=user, entity=organisation, data={"name": "A"}, version=1)
    assert updated.version == 1
    assert not HistoryEntry.objects.filter(kind=HistoryEntry.Kind.EDITED).exists()


def test_update_from_a_stale_version_is_refused_and_overwrites_nothing(user, other_user, make_org):
    organisation = make_org("A")
    update_entity(user=other_user, entity=organisation, data={"name": "Theirs"}, version=1)
    with pytest.raises(ConflictError) as conflict:
        update_entity(user=user, entity=organisation, data={"name": "Mine"}, version=1)
    assert conflict.value.current.name == "Theirs"
    assert conflict.value.changes == [{"field": "name", "yours": "Mine", "theirs": "Theirs"}]
    organisation.refresh_from_db()
    assert (organisation.name, organisation.version) == ("Theirs", 2)


def test_update_with_invalid_data_writes_nothing(user, make_org):
    organisation = make_org("A")
    with pytest.raises(ValidationError) as error:
        update_entity(user=user, entity=organisation, data={"name": "", "email": "nope"}, version=1)
    assert set(error.value.message_dict) == {"name", "email"}
    organisation.refresh_from_db()
    assert (organisation.name, organisation.version) == ("A", 1)


@pytest.mark.parametrize(
    "field", ["uuid", "version", "is_deleted", "label", "is_managed", "created", "entity_type"]
)
def test_services_refuse_bookkeeping_fields(user, make_org, field):
    with pytest.raises(ValidationError) as error:
        create_entity(user=user, model=Organisation, data={"name": "A", field: "x"})
    assert field in error.value.message_dict


def test_create_refuses_an_unknown_field(user):
    with pytest.raises(ValidationError, match="Unknown field"):
        create_entity(user=user, model=Organisation, data={"name": "A", "colour": "red"})
    assert not Organisation.objects.filter(name="A").exists()


def test_anonymous_user_cannot_create(db):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        create_entity(user=AnonymousUser(), model=Organisation, data={"name": "A"})


def test_trash_keeps_relations_and_restore_brings_the_entity_back(user, make_org):
    a, b = make_org("A"), make_org("B")
    link(user=user, subject=a, relation_type=c.REL_SUB_PARTNER, object=b)
    trash_entity(user=user, entity=a)
    a.refresh_from_db()
    assert a.is_deleted
    assert Relation.objects.count() == 2
    with pytest.raises(ActionRefused, match="already in the trash"):
        trash_entity(user=user, entity=a)
    with pytest.raises(ActionRefused, match="restore it"):
        update_entity(user=user, entity=a, data={"name": "X"}, version=a.version)
    restore_entity(user=user, entity=a)
    a.refresh_from_db()
    assert not a.is_deleted
    kinds = list(HistoryEntry.objects.filter(entity=a).values_list("kind", flat=True))
    assert kinds[:2] == ["restored", "trashed"]
    with pytest.raises(ActionRefused, match="not in the trash"):
        restore_entity(user=user, entity=a)


def test_delete_removes_both_sides_of_every_relation_and_keeps_history(user, make_org):
    a, b, d = make_org("A"), make_org("B"), make_org("D")
    link(user=user, subject=a, relation_type=c.REL_SUB_PARTNER, object=b)
    link(user=user, subject=d, relation_type=c.REL_SUB_COMPETITOR, object=a)
    add_property(user=user, entity=a, property_type=PropertyType.objects.get(pk=c.PROP_IS_VIP))
    address_id = update_entity(
        user=user, entity=a, data={"billing_address": {"city": "Nantes"}}, version=1
    ).billing_address_id
    delete_entity(user=user, entity=Entity.objects.get(pk=a.pk))
    assert not Entity.objects.filter(pk=a.pk).exists()
    assert not Relation.objects.exists()
    assert not Property.objects.exists()
    from tandem.persons.models import Address

    assert not Address.objects.filter(pk=address_id).exists()
    deleted = HistoryEntry.objects.get(kind=HistoryEntry.Kind.DELETED)
    assert (deleted.entity_id, deleted.entity_label) == (None, "A")
    unrelated = HistoryEntry.objects.filter(kind=HistoryEntry.Kind.UNRELATED)
    assert {(e.entity_id, e.data["other_label"]) for e in unrelated} == {(b.pk, "A"), (d.pk, "A")}
    assert HistoryEntry.objects.filter(entity_label="A", entity__isnull=True).count() >= 3


def test_the_last_managed_organisation_cannot_be_trashed_deleted_or_unmanaged(
    user, our_company, make_org
):
    with pytest.raises(ActionRefused, match="last organisation managed by us"):
        trash_entity(user=user, entity=our_company)
    with pytest.raises(ActionRefused, match="last organisation managed by us"):
        delete_entity(user=user, entity=our_company)
    with pytest.raises(ActionRefused, match="last organisation managed by us"):
        set_managed(user=user, organisation=our_company, managed=False)
    second = make_org("Our second company")
    set_managed(user=user, organisation=second, managed=True)
    trash_entity(user=user, entity=our_company)
    our_company.refresh_from_db()
    assert our_company.is_deleted
    second.refresh_from_db()
    with pytest.raises(ActionRefused, match="last organisation managed by us"):
        delete_entity(user=user, entity=second)


def test_properties_are_added_once_removed_and_recorded(user, make_org, make_contact):
    vip = PropertyType.objects.get(pk=c.PROP_IS_VIP)
    salesman = PropertyType.objects.get(pk=c.PROP_IS_SALESMAN)
    organisation = make_org("A")
    add_property(user=user, entity=organisation, property_type=vip)
    with pytest.raises(ActionRefused, match="already has"):
        add_property(user=user, entity=organisation, property_type=vip)
    with pytest.raises(ActionRefused, match="does not apply"):
        add_property(user=user, entity=organisation, property_type=salesman)
    add_property(user=user, entity=make_contact("Marcel"), property_type=salesman)
    remove_property(user=user, entity=organisation, property_type=vip)
    with pytest.raises(ActionRefused, match="does not have"):
        remove_property(user=user, entity=organisation, property_type=vip)
    kinds = list(HistoryEntry.objects.filter(entity=organisation).values_list("kind", flat=True))
    assert kinds == ["property_removed", "property_added", "created"]


def test_contact_label_uses_name_parts(make_contact):
    contact = make_contact("Jean", "Dupont", prefix="Dr", middle_name="Paul", suffix="Jr")
    assert contact.label == "Dr Jean Paul Dupont Jr"
    assert Contact.objects.get(pk=contact.pk).search_text.startswith("dr jean paul dupont jr")
