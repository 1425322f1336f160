"""The relation dialog, its picker, relation removal, "Transform into…" and properties."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tandem.core.models import HistoryEntry, Property, Relation
from tandem.core.services import create_relation_type, link
from tandem.persons import constants
from tandem.persons.models import Contact, Organisation
from tandem.persons.services import set_managed

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def add_url(entity) -> str:
    slug = "organisations" if isinstance(entity, Organisation) else "contacts"
    return reverse("relation_add", args=[slug, entity.uuid])


def picker_url(entity) -> str:
    slug = "organisations" if isinstance(entity, Organisation) else "contacts"
    return reverse("relation_picker", args=[slug, entity.uuid])


def detail_url(entity) -> str:
    slug = "organisations" if isinstance(entity, Organisation) else "contacts"
    return reverse("entity_detail", args=[slug, entity.uuid])


@pytest.fixture
def organisation_prospect_type(user):
    """The seed's custom type: an organisation is a prospect of another organisation."""
    organisations = ContentType.objects.get_for_model(Organisation)
    side, _reverse = create_relation_type(
        user=user,
        subject_predicate="is a prospect of",
        object_predicate="has as prospect",
        subject_types=[organisations],
        object_types=[organisations],
    )
    return side


def test_the_dialog_offers_only_types_for_this_entity(
    logged_in, make_org, make_contact, organisation_prospect_type
):
    organisation, contact = make_org("C"), make_contact("Ann", "Smith")
    for_organisation = logged_in.get(add_url(organisation), **HX).content.decode()
    for_contact = logged_in.get(add_url(contact), **HX).content.decode()
    custom = f'value="{organisation_prospect_type.pk}"'
    assert custom in for_organisation
    assert custom not in for_contact
    # "is an employee of" is for contacts only.
    assert constants.REL_SUB_EMPLOYED_BY not in for_organisation
    assert constants.REL_SUB_EMPLOYED_BY in for_contact


def test_the_dialog_hides_disabled_and_internal_types(logged_in, make_org, relation_type, user):
    from tandem.core.services import set_relation_type_enabled

    set_relation_type_enabled(
        user=user, relation_type=relation_type(constants.REL_SUB_PARTNER), enabled=False
    )
    page = logged_in.get(add_url(make_org("C")), **HX).content.decode()
    assert constants.REL_SUB_PARTNER not in page
    assert constants.REL_SUB_PROSPECT in page


def test_the_picker_offers_only_allowed_not_yet_linked_entities(
    logged_in, make_org, make_contact, our_company, user
):
    subject = make_contact("Ann", "Smith")
    linked = make_org("Linked Corp")
    make_org("Free Corp")
    make_contact("Bob", "Corp")  # a contact cannot be employer
    link(user=user, subject=subject, relation_type=constants.REL_SUB_EMPLOYED_BY, object=linked)
    page = logged_in.get(
        picker_url(subject), {"relation_type": constants.REL_SUB_EMPLOYED_BY, "q": "corp"}
    ).content.decode()
    assert "Free Corp" in page
    assert "Linked Corp" not in page
    assert "Bob Corp" not in page
    assert "Ann Smith" not in page


def test_adding_several_relations_at_once_writes_both_sides(logged_in, make_org, user):
    subject, first, second = make_org("C"), make_org("A"), make_org("D")
    response = logged_in.post(
        add_url(subject),
        {
            "relation_type": constants.REL_SUB_PROSPECT,
            "objects": [first.uuid, second.uuid],
            "note": "met at a fair",
            "start_date": "2024-01-15",
        },
        **HX,
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == detail_url(subject)
    relations = Relation.objects.filter(subject=subject, type=constants.REL_SUB_PROSPECT)
    assert relations.count() == 2
    assert {relation.note for relation in relations} == {"met at a fair"}
    for target in (first, second):
        reverse_relation = Relation.objects.get(subject=target, object=subject)
        assert reverse_relation.type_id == constants.REL_OBJ_PROSPECT
        assert str(reverse_relation.start_date) == "2024-01-15"


def test_a_refused_relation_saves_nothing_and_says_why(logged_in, make_org, our_company, user):
    subject, fine = make_org("C"), make_org("A")
    link(user=user, subject=subject, relation_type=constants.REL_SUB_PROSPECT, object=our_company)
    before = Relation.objects.count()
    response = logged_in.post(
        add_url(subject),
        {"relation_type": constants.REL_SUB_PROSPECT, "objects": [fine.uuid, our_company.uuid]},
        **HX,
    )
    assert response.status_code == 400
    assert "already" in response.content.decode()
    assert Relation.objects.count() == before


def test_a_type_the_entity_does_not_accept_is_refused(logged_in, make_org):
    subject, target = make_org("C"), make_org("A")
    response = logged_in.post(
        add_url(subject),
        {"relation_type": constants.REL_SUB_EMPLOYED_BY, "objects": [target.uuid]},
        **HX,
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Relation.objects.filter(subject=subject).exists()


def test_a_target_of_a_forbidden_type_is_refused_with_the_engines_message(
    logged_in, make_contact, make_org
):
    subject, target = make_contact("Ann", "Smith"), make_contact("Bob", "Jones")
    response = logged_in.post(
        add_url(subject),
        {"relation_type": constants.REL_SUB_EMPLOYED_BY, "objects": [target.uuid]},
        **HX,
    )
    assert response.status_code == 400
    assert "does not accept" in response.content.decode()
    assert not Relation.objects.filter(subject=subject).exists()


def test_no_target_and_a_backwards_period_are_field_errors(logged_in, make_org):
    subject, target = make_org("C"), make_org("A")
    page = logged_in.post(
        add_url(subject), {"relation_type": constants.REL_SUB_PROSPECT}, **HX
    ).content.decode()
    assert "Choose at least one entity to link to." in page
    page = logged_in.post(
        add_url(subject),
        {
            "relation_type": constants.REL_SUB_PROSPECT,
            "objects": [target.uuid],
            "start_date": "2024-05-01",
            "end_date": "2024-01-01",
        },
        **HX,
    ).content.decode()
    assert "The period ends before it starts." in page
    assert not Relation.objects.filter(subject=subject).exists()


def test_the_dialog_works_without_javascript_as_a_page(logged_in, make_org):
    subject, target = make_org("C"), make_org("A")
    page = logged_in.get(add_url(subject))
    assert "<html" in page.content.decode()
    response = logged_in.post(
        add_url(subject), {"relation_type": constants.REL_SUB_PROSPECT, "objects": [target.uuid]}
    )
    assert response.status_code == 302
    assert Relation.objects.filter(subject=subject, object=target).exists()


def test_removing_a_relation_removes_both_sides(logged_in, make_org, user):
    subject, target = make_org("C"), make_org("A")
    relation = link(
        user=user, subject=subject, relation_type=constants.REL_SUB_PROSPECT, object=target
    )
    response = logged_in.post(reverse("relation_delete", args=[relation.reverse_id]))
    assert response.status_code == 302
    assert response.url == detail_url(target)
    assert not Relation.objects.filter(pk__in=[relation.pk, relation.reverse_id]).exists()
    assert HistoryEntry.objects.filter(entity=subject, kind="unrelated").exists()


def test_transform_into_a_prospect_links_to_our_company(logged_in, make_org, our_company):
    prospect = make_org("C")
    url = reverse("entity_transform", args=["organisations", prospect.uuid])
    logged_in.post(url, {"into": "prospect"})
    assert Relation.objects.filter(
        subject=prospect, type_id=constants.REL_SUB_PROSPECT, object=our_company
    ).exists()
    page = logged_in.get(detail_url(prospect)).content.decode()
    assert "Transform into a prospect" not in page
    assert "Transformer en prospect" not in page


def test_transform_with_several_managed_organisations_asks_which(
    logged_in, make_org, our_company, user
):
    second = make_org("Our Other Co")
    set_managed(user=user, organisation=second, managed=True)
    prospect = make_org("C")
    page = logged_in.get(detail_url(prospect)).content.decode()
    assert "Our Other Co" in page
    url = reverse("entity_transform", args=["organisations", prospect.uuid])
    response = logged_in.post(url, {"into": "prospect"}, follow=True)
    assert "Choose which of our organisations" in response.content.decode()
    logged_in.post(url, {"into": "prospect", "managed": second.uuid})
    assert Relation.objects.filter(subject=prospect, object=second).exists()
    assert not Relation.objects.filter(subject=prospect, object=our_company).exists()


def test_properties_are_added_and_removed(logged_in, make_contact):
    contact = make_contact("Ann", "Smith")
    add = reverse("property_add", args=["contacts", contact.uuid])
    remove = reverse("property_remove", args=["contacts", contact.uuid])
    logged_in.post(add, {"property_type": "persons-is_salesman"})
    assert Property.objects.filter(entity=contact, type_id="persons-is_salesman").exists()
    logged_in.post(remove, {"property_type": "persons-is_salesman"})
    assert not Property.objects.filter(entity=contact).exists()


def test_a_property_limited_to_contacts_is_refused_on_an_organisation(logged_in, make_org):
    organisation = make_org("C")
    response = logged_in.post(
        reverse("property_add", args=["organisations", organisation.uuid]),
        {"property_type": "persons-is_salesman"},
        follow=True,
    )
    assert response.status_code == 200
    assert not Property.objects.filter(entity=organisation).exists()
    assert 'class="message error' in response.content.decode()


def test_quick_create_makes_a_target_and_hands_it_to_the_picker(logged_in):
    url = reverse("entity_quick_create", args=["contacts"])
    response = logged_in.post(url, {"name": "Marie Curie"}, **HX)
    contact = Contact.objects.get(last_name="Curie")
    assert contact.first_name == "Marie"
    assert f'value="{contact.uuid}"' in response.content.decode()
    assert logged_in.post(url, {"name": ""}, **HX).status_code == 400


def test_custom_types_are_told_apart_from_built_in_ones_with_the_same_wording(
    logged_in, make_org, organisation_prospect_type
):
    page = logged_in.get(add_url(make_org("C")), **HX).content.decode()
    assert "is a prospect of (custom)</option>" in page
    assert ">is a prospect of</option>" in page
