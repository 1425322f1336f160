"""The relation types screen: list, create, reword, enable/disable, delete."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core.models import PropertyType, Relation, RelationType
from tandem.core.services import create_relation_type, link
from tandem.persons import constants as c
from tandem.persons.models import Contact, Organisation

pytestmark = pytest.mark.django_db


def org_ct() -> int:
    return ContentType.objects.get_for_model(Organisation).pk


def custom_pair(user, subject="is a fan of", reverse_predicate="has as fan"):
    return create_relation_type(
        user=user, subject_predicate=subject, object_predicate=reverse_predicate
    )


def test_list_shows_built_in_pairs_once_with_both_predicates(logged):
    page = logged.get(reverse("config:relation_types")).content.decode()
    assert page.count("<strong>is a customer of</strong>") == 1
    assert "is a supplier of" in page
    assert "New custom type" in page
    assert 'class="badge custom"' not in page
    # Built-in types cannot be edited or deleted.
    assert reverse("config:relation_type_edit", args=[c.REL_SUB_CUSTOMER_SUPPLIER]) not in page
    assert reverse("config:relation_type_delete", args=[c.REL_SUB_CUSTOMER_SUPPLIER]) not in page


def test_list_shows_constraints_and_badges(logged, user):
    vip = PropertyType.objects.get(pk=c.PROP_IS_VIP)
    side, _reverse = create_relation_type(
        user=user,
        subject_predicate="is a fan of",
        object_predicate="has as fan",
        subject_types=[ContentType.objects.get_for_model(Contact)],
        subject_properties=[vip],
    )
    RelationType.objects.filter(pk__in=[side.pk, side.reverse_id]).update(enabled=False)
    page = logged.get(reverse("config:relation_types")).content.decode()
    assert 'class="badge custom"' in page
    assert 'class="badge off"' in page
    assert "Must be: is a VIP" in page
    assert reverse("config:relation_type_edit", args=[side.pk]) in page
    assert reverse("config:relation_type_delete", args=[side.pk]) in page


def test_list_query_count_does_not_grow(logged, user):
    url = reverse("config:relation_types")
    logged.get(url)
    with CaptureQueriesContext(connection) as few:
        logged.get(url)
    vip = PropertyType.objects.get(pk=c.PROP_IS_VIP)
    for number in range(6):
        create_relation_type(
            user=user,
            subject_predicate=f"verb {number}",
            object_predicate=f"reverse {number}",
            subject_types=[ContentType.objects.get_for_model(Contact)],
            object_properties=[vip],
            subject_forbidden_properties=[vip],
        )
    with CaptureQueriesContext(connection) as many:
        page = logged.get(url).content.decode()
    assert "verb 5" in page
    assert len(many) == len(few)


def test_create_the_seed_custom_type(logged):
    response = logged.post(
        reverse("config:relation_type_create"),
        {
            "subject_types": [org_ct()],
            "object_types": [org_ct()],
            "subject_predicate": "is a prospect of",
            "object_predicate": "has as prospect",
        },
        follow=True,
    )
    side = RelationType.objects.get(is_custom=True, predicate="is a prospect of")
    assert side.reverse.predicate == "has as prospect"
    assert list(side.subject_types.values_list("pk", flat=True)) == [org_ct()]
    assert list(side.reverse.subject_types.values_list("pk", flat=True)) == [org_ct()]
    page = response.content.decode()
    assert "was created" in page
    # Same wording as the built-in "is a prospect of": allowed, with a warning.
    assert "already worded" in page
    assert 'class="message warning"' in page


def test_create_without_a_warning_for_new_wording(logged):
    response = logged.post(
        reverse("config:relation_type_create"),
        {"subject_predicate": "is a fan of", "object_predicate": "has as fan"},
        follow=True,
    )
    page = response.content.decode()
    assert "was created" in page and "already worded" not in page
    side = RelationType.objects.get(predicate="is a fan of")
    assert not side.subject_types.exists()  # none checked = any entity


def test_empty_verb_is_told_next_to_its_field(logged):
    before = RelationType.objects.count()
    response = logged.post(
        reverse("config:relation_type_create"),
        {"subject_predicate": "  ", "object_predicate": "has as fan"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Write the verb of this side" in page
    assert 'class="field invalid"' in page
    assert 'value="has as fan"' in page  # what was typed is kept
    assert RelationType.objects.count() == before


def test_required_and_forbidden_property_refused(logged):
    before = RelationType.objects.count()
    response = logged.post(
        reverse("config:relation_type_create"),
        {
            "subject_predicate": "is a fan of",
            "object_predicate": "has as fan",
            "subject_properties": [c.PROP_IS_VIP],
            "subject_forbidden_properties": [c.PROP_IS_VIP],
        },
    )
    assert "both required and forbidden" in response.content.decode()
    assert RelationType.objects.count() == before


def test_reword_a_custom_type(logged, user):
    side, reverse_side = custom_pair(user)
    url = reverse("config:relation_type_edit", args=[reverse_side.pk])  # either side works
    page = logged.get(url).content.decode()
    assert 'value="is a fan of"' in page
    logged.post(url, {"subject_predicate": "admires", "object_predicate": "is admired by"})
    side.refresh_from_db()
    reverse_side.refresh_from_db()
    assert (side.predicate, reverse_side.predicate) == ("admires", "is admired by")


def test_reword_with_empty_verb_is_refused(logged, user):
    side, _reverse = custom_pair(user)
    response = logged.post(
        reverse("config:relation_type_edit", args=[side.pk]),
        {"subject_predicate": "admires", "object_predicate": ""},
    )
    assert "Write the verb of this side" in response.content.decode()
    side.refresh_from_db()
    assert side.predicate == "is a fan of"


def test_editing_a_built_in_type_is_refused(logged):
    response = logged.get(
        reverse("config:relation_type_edit", args=[c.REL_SUB_CUSTOMER_SUPPLIER]), follow=True
    )
    assert "is a built-in relation type" in response.content.decode()


def test_disable_and_enable_both_sides(logged, relation_type):
    url = reverse("config:relation_type_enable", args=[c.REL_SUB_PROSPECT])
    assert logged.get(url).status_code == 405
    logged.post(url, {"enabled": "0"})
    side = relation_type(c.REL_SUB_PROSPECT)
    assert not side.enabled and not side.reverse.enabled
    page = logged.get(reverse("config:relation_types")).content.decode()
    assert 'class="badge off"' in page
    logged.post(url, {"enabled": "1"})
    side = relation_type(c.REL_SUB_PROSPECT)
    assert side.enabled and side.reverse.enabled


def test_delete_unused_custom_type(logged, user):
    side, _reverse = custom_pair(user)
    url = reverse("config:relation_type_delete", args=[side.pk])
    page = logged.get(url).content.decode()
    assert "No relation uses it" in page
    logged.post(url)
    assert not RelationType.objects.filter(pk__in=[side.pk, side.reverse_id]).exists()


def test_delete_used_custom_type_says_how_many_then_removes_them(logged, user, make_org):
    side, _reverse = custom_pair(user)
    a, b, d = make_org("A"), make_org("B"), make_org("D")
    link(user=user, subject=a, relation_type=side, object=b)
    link(user=user, subject=d, relation_type=side, object=b)
    url = reverse("config:relation_type_delete", args=[side.pk])
    page = logged.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in page  # a dialog fragment for htmx
    assert "used by 2 relations" in page
    assert 'name="force" value="1"' in page
    full = logged.get(url).content.decode()
    assert "<html" in full and "used by 2 relations" in full
    logged.post(url, {"force": "1"})
    assert not RelationType.objects.filter(pk=side.pk).exists()
    assert not Relation.objects.filter(subject__in=[a, b, d]).exists()


def test_delete_used_type_without_force_is_refused(logged, user, make_org):
    side, _reverse = custom_pair(user)
    link(user=user, subject=make_org("A"), relation_type=side, object=make_org("B"))
    response = logged.post(reverse("config:relation_type_delete", args=[side.pk]), follow=True)
    assert "is used by relations" in response.content.decode()
    assert RelationType.objects.filter(pk=side.pk).exists()
    assert Relation.objects.filter(type=side).count() == 1


def test_deleting_a_built_in_type_is_refused(logged):
    response = logged.post(
        reverse("config:relation_type_delete", args=[c.REL_SUB_CUSTOMER_SUPPLIER]),
        {"force": "1"},
        follow=True,
    )
    assert "is a built-in relation type" in response.content.decode()
    assert RelationType.objects.filter(pk=c.REL_SUB_CUSTOMER_SUPPLIER).exists()


def test_unknown_type_is_404(logged):
    assert logged.get(reverse("config:relation_type_edit", args=["nope"])).status_code == 404


def contact_ct() -> int:
    return ContentType.objects.get_for_model(Contact).pk


def test_edit_changes_the_types_and_properties_of_a_custom_type(logged, user):
    side, reverse_side = custom_pair(user)
    url = reverse("config:relation_type_edit", args=[side.pk])
    response = logged.post(
        url,
        {
            "subject_predicate": "is a fan of",
            "object_predicate": "has as fan",
            "subject_types": [contact_ct()],
            "subject_properties": ["persons-is_vip"],
            "object_types": [org_ct()],
        },
    )
    assert response.status_code == 302
    assert list(side.subject_types.values_list("pk", flat=True)) == [contact_ct()]
    assert list(side.subject_properties.values_list("pk", flat=True)) == ["persons-is_vip"]
    assert list(reverse_side.subject_types.values_list("pk", flat=True)) == [org_ct()]
    page = logged.get(url).content.decode()
    assert re.search(rf'value="{contact_ct()}"[^>]*checked', page)


def test_edit_refuses_rules_that_existing_relations_break(logged, user, make_org):
    side, _reverse = custom_pair(user)
    link(user=user, subject=make_org("Fan Corp"), relation_type=side, object=make_org("Star"))
    response = logged.post(
        reverse("config:relation_type_edit", args=[side.pk]),
        {
            "subject_predicate": "adores",
            "object_predicate": "has as fan",
            "subject_types": [contact_ct()],
        },
    )
    assert response.status_code == 200
    assert "1 relation “is a fan of” would no longer be allowed" in response.content.decode()
    side.refresh_from_db()
    assert side.predicate == "is a fan of"
    assert not side.subject_types.exists()
