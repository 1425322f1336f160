"""The property types screen and its service: create, edit, enable, delete."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from tandem.core.exceptions import ActionRefused
from tandem.core.models import HistoryEntry, Property, PropertyType
from tandem.core.services import add_property, create_relation_type
from tandem.core.services.property_types import (
    create_property_type,
    delete_property_type,
    update_property_type,
)
from tandem.persons import constants as c
from tandem.persons.models import Contact, Organisation

pytestmark = pytest.mark.django_db


def ct(model) -> ContentType:
    return ContentType.objects.get_for_model(model)


def test_list_shows_built_in_and_custom(logged, user):
    create_property_type(user=user, text="is a reseller", subject_types=[ct(Organisation)])
    page = logged.get(reverse("config:property_types")).content.decode()
    assert "is a VIP" in page and "is a reseller" in page
    assert 'class="badge custom"' in page
    assert reverse("config:property_type_edit", args=[c.PROP_IS_VIP]) not in page
    assert reverse("config:property_type_delete", args=[c.PROP_IS_VIP]) not in page


def test_create_from_the_form(logged):
    response = logged.post(
        reverse("config:property_type_create"),
        {"text": "is a reseller", "subject_types": [ct(Organisation).pk]},
        follow=True,
    )
    assert "was created" in response.content.decode()
    created = PropertyType.objects.get(text="is a reseller")
    assert created.is_custom
    assert list(created.subject_types.all()) == [ct(Organisation)]


def test_empty_text_is_told_next_to_the_field(logged):
    before = PropertyType.objects.count()
    response = logged.post(reverse("config:property_type_create"), {"text": " "})
    page = response.content.decode()
    assert "Write what the property says" in page
    assert 'class="field invalid"' in page
    assert PropertyType.objects.count() == before


def test_edit_a_custom_type(logged, user):
    prop = create_property_type(user=user, text="is a reseller")
    url = reverse("config:property_type_edit", args=[prop.pk])
    assert 'value="is a reseller"' in logged.get(url).content.decode()
    logged.post(url, {"text": "is a distributor", "subject_types": [ct(Contact).pk]})
    prop.refresh_from_db()
    assert prop.text == "is a distributor"
    assert list(prop.subject_types.all()) == [ct(Contact)]


def test_narrowing_types_carried_elsewhere_is_refused(logged, user, make_org):
    prop = create_property_type(user=user, text="is a reseller")
    add_property(user=user, entity=make_org("ACME"), property_type=prop)
    response = logged.post(
        reverse("config:property_type_edit", args=[prop.pk]),
        {"text": "is a reseller", "subject_types": [ct(Contact).pk]},
    )
    assert "1 entity of a type you left out" in response.content.decode()
    assert not prop.subject_types.exists()


def test_built_in_type_cannot_be_edited_or_deleted(logged, user):
    response = logged.get(reverse("config:property_type_edit", args=[c.PROP_IS_VIP]), follow=True)
    assert "is a built-in property type" in response.content.decode()
    response = logged.post(
        reverse("config:property_type_delete", args=[c.PROP_IS_VIP]), {"force": "1"}, follow=True
    )
    assert "is a built-in property type" in response.content.decode()
    assert PropertyType.objects.filter(pk=c.PROP_IS_VIP).exists()
    vip = PropertyType.objects.get(pk=c.PROP_IS_VIP)
    with pytest.raises(ActionRefused):
        update_property_type(user=user, property_type=vip, text="x")
    with pytest.raises(ActionRefused):
        delete_property_type(user=user, property_type=vip)


def test_disable_and_enable(logged):
    url = reverse("config:property_type_enable", args=[c.PROP_IS_VIP])
    logged.post(url, {"enabled": "0"})
    assert not PropertyType.objects.get(pk=c.PROP_IS_VIP).enabled
    assert 'class="badge off"' in logged.get(reverse("config:property_types")).content.decode()
    logged.post(url, {"enabled": "1"})
    assert PropertyType.objects.get(pk=c.PROP_IS_VIP).enabled


def test_delete_unused(logged, user):
    prop = create_property_type(user=user, text="is a reseller")
    url = reverse("config:property_type_delete", args=[prop.pk])
    assert "No entity carries it" in logged.get(url).content.decode()
    logged.post(url)
    assert not PropertyType.objects.filter(pk=prop.pk).exists()


def test_delete_carried_type_confirms_then_removes_it_with_history(logged, user, make_org):
    prop = create_property_type(user=user, text="is a reseller")
    acme, globex = make_org("ACME"), make_org("Globex")
    add_property(user=user, entity=acme, property_type=prop)
    add_property(user=user, entity=globex, property_type=prop)
    side, _reverse = create_relation_type(
        user=user,
        subject_predicate="resells",
        object_predicate="is resold by",
        subject_properties=[prop],
    )
    url = reverse("config:property_type_delete", args=[prop.pk])
    page = logged.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "2 entities carry it" in page
    assert "1 relation type requires or forbids it" in page
    # Without the confirmation's force flag, nothing happens.
    response = logged.post(url, follow=True)
    assert "is carried by 2 entities" in response.content.decode()
    assert Property.objects.filter(type=prop).count() == 2
    response = logged.post(url, {"force": "1"}, follow=True)
    assert "removed from 2 entities" in response.content.decode()
    assert not PropertyType.objects.filter(pk=prop.pk).exists()
    assert not Property.objects.filter(entity__in=[acme, globex]).exists()
    assert not side.subject_properties.exists()
    assert (
        HistoryEntry.objects.filter(
            entity__in=[acme, globex], kind=HistoryEntry.Kind.PROPERTY_REMOVED
        ).count()
        == 2
    )


def test_service_validates_text(user):
    with pytest.raises(ValidationError) as error:
        create_property_type(user=user, text="x" * 201)
    assert "text" in error.value.message_dict
