"""Entity lists, detail pages and forms, through Django's test client."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core.models import HistoryEntry
from tandem.core.services import add_property, link, update_entity
from tandem.persons import constants
from tandem.persons.models import Contact, Organisation, Sector

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def detail_url(entity) -> str:
    slug = "organisations" if isinstance(entity, Organisation) else "contacts"
    return reverse("entity_detail", args=[slug, entity.uuid])


def test_unknown_entity_type_is_a_styled_404(logged_in):
    response = logged_in.get("/spaceships/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_pages_need_a_login(client, make_org):
    organisation = make_org("Acme")
    for url in (reverse("entity_list", args=["organisations"]), detail_url(organisation)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_create_an_organisation_with_phones_and_address(logged_in, user):
    sector = Sector.objects.first()
    response = logged_in.post(
        reverse("entity_create", args=["organisations"]),
        {
            "name": "Société Générale",
            "sector": sector.pk,
            "email": "contact@sg.example",
            "extra_emails": "a@sg.example\n\n b@sg.example ",
            "phone_0_kind": "work",
            "phone_0_number": " 01 23 45 67 89 ",
            "phone_1_kind": "mobile",
            "phone_1_number": "06 11 22 33 44",
            "phone_primary": "1",
            "billing_address__city": "Lyon",
            "billing_address__postal_code": "01000",
        },
    )
    organisation = Organisation.objects.get(name="Société Générale")
    assert response.status_code == 302
    assert response.url == detail_url(organisation)
    assert organisation.owner == user
    assert organisation.extra_emails == ["a@sg.example", "b@sg.example"]
    assert organisation.phones == [
        {"kind": "work", "number": "01 23 45 67 89", "primary": False},
        {"kind": "mobile", "number": "06 11 22 33 44", "primary": True},
    ]
    assert organisation.billing_address.postal_code == "01000"
    assert organisation.shipping_address is None
    page = logged_in.get(response.url).content.decode()
    assert "Société Générale" in page
    assert "06 11 22 33 44" in page
    assert "01000 Lyon" in page


def test_an_empty_required_field_is_told_next_to_it_and_nothing_is_saved(logged_in):
    before = Organisation.objects.count()
    response = logged_in.post(reverse("entity_create", args=["organisations"]), {"name": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert 'class="field invalid"' in page
    assert Organisation.objects.count() == before


def test_a_service_error_is_shown_next_to_its_field(logged_in):
    response = logged_in.post(
        reverse("entity_create", args=["organisations"]), {"name": "X", "siren": "123"}
    )
    assert response.status_code == 400
    assert not Organisation.objects.filter(name="X").exists()
    assert "SIREN" in response.content.decode()


def test_a_contact_needs_a_name_and_the_form_says_so_in_french(logged_in):
    response = logged_in.post(
        reverse("entity_create", args=["contacts"]),
        {"email": "x@example.com"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert "Indiquez au moins un prénom, un nom ou un surnom." in response.content.decode()
    assert not Contact.objects.exists()


def test_edit_saves_and_records_history(logged_in, make_org):
    organisation = make_org("Acme")
    url = reverse("entity_edit", args=["organisations", organisation.uuid])
    form = logged_in.get(url).content.decode()
    assert 'value="Acme"' in form
    response = logged_in.post(url, {"name": "Acme Corp", "version": organisation.version})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Acme Corp"
    assert organisation.version == 2
    entry = HistoryEntry.objects.filter(entity=organisation, kind="edited").get()
    assert {"field": "name", "old": "Acme", "new": "Acme Corp"} in entry.data["changes"]


def test_a_stale_edit_shows_what_changed_and_saves_nothing(logged_in, make_org, other_user):
    organisation = make_org("Acme")
    update_entity(user=other_user, entity=organisation, data={"name": "Acme Ltd"}, version=1)
    url = reverse("entity_edit", args=["organisations", organisation.uuid])
    response = logged_in.post(url, {"name": "Acme Corp", "version": 1})
    assert response.status_code == 400
    page = response.content.decode()
    assert "changed by someone else" in page
    assert "Acme Ltd" in page and "Acme Corp" in page
    assert 'name="version" value="2"' in page
    organisation.refresh_from_db()
    assert organisation.name == "Acme Ltd"
    # Saving again, knowingly, overwrites.
    assert logged_in.post(url, {"name": "Acme Corp", "version": 2}).status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Acme Corp"


def test_clone_prefills_a_new_entity(logged_in, make_org):
    organisation = make_org("Acme", email="a@acme.example")
    page = logged_in.get(reverse("entity_clone", args=["organisations", organisation.uuid]))
    assert 'value="a@acme.example"' in page.content.decode()
    logged_in.post(
        reverse("entity_clone", args=["organisations", organisation.uuid]),
        {"name": "Acme 2", "email": "a@acme.example"},
    )
    assert Organisation.objects.filter(name="Acme 2", email="a@acme.example").exists()


def test_trash_from_the_detail_page(logged_in, make_org):
    organisation = make_org("Acme")
    response = logged_in.post(reverse("entity_trash", args=["organisations", organisation.uuid]))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.is_deleted
    listing = logged_in.get(reverse("entity_list", args=["organisations"])).content.decode()
    assert "moved to the trash" in listing
    assert ">Acme</a>" not in listing


def test_the_last_managed_organisation_cannot_be_trashed_from_its_page(logged_in, our_company):
    response = logged_in.post(
        reverse("entity_trash", args=["organisations", our_company.uuid]), follow=True
    )
    assert "last organisation managed by us" in response.content.decode()
    our_company.refresh_from_db()
    assert not our_company.is_deleted


def test_markup_in_names_is_shown_as_text(logged_in, make_org, make_contact, user):
    evil = make_org("<script>alert(1)</script>")
    contact = make_contact("Eve", "<b>bold</b>")
    link(user=user, subject=contact, relation_type=constants.REL_SUB_EMPLOYED_BY, object=evil)
    for url in (
        detail_url(evil),
        detail_url(contact),
        reverse("entity_list", args=["organisations"]),
        reverse("search") + "?q=alert",
        reverse("home"),
    ):
        page = logged_in.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page, url
        assert "<b>bold</b>" not in page, url
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;" in logged_in.get(detail_url(evil)).content.decode()
    )


def test_detail_page_groups_relations_and_shows_properties(logged_in, make_org, user, our_company):
    customer = make_org("Bravo")
    link(
        user=user,
        subject=customer,
        relation_type=constants.REL_SUB_CUSTOMER_SUPPLIER,
        object=our_company,
    )
    from tandem.core.models import PropertyType

    add_property(
        user=user, entity=customer, property_type=PropertyType.objects.get(pk="persons-is_vip")
    )
    page = logged_in.get(detail_url(customer)).content.decode()
    assert "Is a customer of" in page
    assert our_company.name in page
    assert "is a VIP" in page
    # The customer button is gone, the prospect one is still offered.
    assert "Transform into a customer" not in page
    assert "Transform into a prospect" in page
    reverse_page = logged_in.get(detail_url(our_company)).content.decode()
    assert "Is a supplier of" in reverse_page
    assert "Bravo" in reverse_page


def test_detail_page_costs_the_same_queries_with_many_relations(logged_in, make_org, user):
    hub = make_org("Hub")
    first = make_org("First")
    link(user=user, subject=hub, relation_type=constants.REL_SUB_COMPETITOR, object=first)
    with CaptureQueriesContext(connection) as few:
        assert logged_in.get(detail_url(hub)).status_code == 200
    for index in range(12):
        other = make_org(f"Other {index}")
        relation_type = constants.REL_SUB_COMPETITOR if index % 2 else constants.REL_SUB_PARTNER
        link(user=user, subject=hub, relation_type=relation_type, object=other)
        update_entity(
            user=user, entity=hub, data={"email": f"h{index}@x.example"}, version=hub.version
        )
        hub.refresh_from_db()
    with CaptureQueriesContext(connection) as many:
        assert logged_in.get(detail_url(hub)).status_code == 200
    assert len(many) == len(few)


def test_list_pages_cost_the_same_queries_whatever_the_rows(logged_in, make_org, make_contact):
    url = reverse("entity_list", args=["organisations"])
    make_org("One", billing_address={"city": "Lyon"}, sector=Sector.objects.first())
    with CaptureQueriesContext(connection) as few:
        logged_in.get(url)
    for index in range(20):
        make_org(f"Org {index}", billing_address={"city": "Paris"}, sector=Sector.objects.last())
    with CaptureQueriesContext(connection) as many:
        page = logged_in.get(url).content.decode()
    assert "Org 19" in page
    assert len(many) == len(few)
    contacts_url = reverse("entity_list", args=["contacts"])
    make_contact("Ann")
    with CaptureQueriesContext(connection) as few:
        logged_in.get(contacts_url)
    for index in range(10):
        make_contact(f"Person {index}", billing_address={"city": "Nice"})
    with CaptureQueriesContext(connection) as many:
        logged_in.get(contacts_url)
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "4 Dec 2026, 09:05"), ("fr", "04/12/2026 09:05")],
)
def test_dates_read_unambiguously_in_each_language(logged_in, user, make_org, language, shown):
    from datetime import UTC, datetime

    organisation = make_org("Dated Ltd")
    Organisation.objects.filter(pk=organisation.pk).update(
        created=datetime(2026, 12, 4, 9, 5, tzinfo=UTC)
    )
    user.language = language
    user.save()
    page = logged_in.get(detail_url(organisation), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert shown in page


def test_history_and_conflicts_show_phones_and_addresses_as_people_read_them(
    client, user, make_org
):
    client.force_login(user)
    acme = make_org("Acme")
    update_entity(
        user=user,
        entity=acme,
        data={
            "phones": [{"kind": "work", "number": "+33 1 23 45 67 89", "primary": True}],
            "billing_address": {
                "street": "1 rue de la Paix",
                "postal_code": "75002",
                "city": "Paris",
            },
        },
        version=1,
    )
    page = client.get(reverse("entity_detail", args=["organisations", acme.uuid])).content.decode()
    assert "+33 1 23 45 67 89 (work)" in page and "1 rue de la Paix, 75002 Paris" in page
    assert (
        "&#x27;kind&#x27;" not in page
        and "{" not in page.split("History")[1].split("</section>")[0]
    )


def test_a_trashed_entity_is_not_opened_for_editing(client, user, make_org):
    from tandem.core.services import trash_entity

    client.force_login(user)
    acme = make_org("Acme")
    trash_entity(user=user, entity=acme)
    response = client.get(reverse("entity_edit", args=["organisations", acme.uuid]), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "entity_detail", args=["organisations", acme.uuid]
    )
    assert "restore it before editing it" in response.content.decode()


def test_a_website_must_be_a_web_address(client, user, make_org):
    client.force_login(user)
    response = client.post(
        reverse("entity_create", args=["organisations"]),
        {"name": "Evil", "website": "javascript:alert(1)"},
    )
    assert response.status_code == 400
    assert "is not a web address" in response.content.decode()
    assert not Organisation.objects.filter(name="Evil").exists()


def test_an_ended_relation_is_shown_as_ended(client, user, make_contact, make_org):
    import datetime

    client.force_login(user)
    marcel, acme = make_contact("Marcel"), make_org("Acme")
    link(
        user=user,
        subject=marcel,
        relation_type=constants.REL_SUB_EMPLOYED_BY,
        object=acme,
        start_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2022, 6, 30),
    )
    page = client.get(reverse("entity_detail", args=["contacts", marcel.uuid])).content.decode()
    assert 'class="relation-row ended"' in page and "ended</span>" in page


def test_every_error_of_a_contact_form_shows_at_once(client, user):
    client.force_login(user)
    response = client.post(
        reverse("entity_create", args=["contacts"]),
        {"email": "x@y", "birth_day": "31", "birth_month": "4", "phone_primary": "0"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address." in page  # the form's own check
    assert "Give at least a first name, a last name or a nickname." in page  # the model's
    assert "This day does not exist in that month." in page
    assert not Contact.objects.exists()
