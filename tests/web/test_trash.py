"""The trash page: list, restore, delete for good, empty; engine refusals as messages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core.models import Entity, HistoryEntry, Relation
from tandem.core.services import link, trash_entity
from tandem.persons import constants as c
from tandem.persons.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(client, user):
    client.force_login(user)
    return client


def test_needs_a_login(client):
    response = client.get(reverse("trash"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_empty_trash_says_what_it_is_for(logged):
    page = logged.get(reverse("trash")).content.decode()
    assert "The trash is empty." in page
    assert "restore it with its relations" in page
    assert "Empty the trash" not in page


def test_lists_trashed_entities_with_type_date_and_who(logged, user, make_org, make_contact):
    acme, bob = make_org("ACME"), make_contact("Bob", "Builder")
    make_org("Still here")
    trash_entity(user=user, entity=acme)
    trash_entity(user=user, entity=bob)
    page = logged.get(reverse("trash")).content.decode()
    assert "ACME" in page and "Bob Builder" in page
    assert "Still here" not in page
    assert "Organisation" in page and "Contact" in page
    assert ">alice<" in page
    assert "2 entities in the trash" in page
    assert reverse("trash_restore", args=[acme.uuid]) in page
    assert reverse("trash_delete", args=[acme.uuid]) in page
    assert "data-confirm=" in page
    # Most recently trashed first.
    assert page.index("Bob Builder") < page.index("ACME")


def test_query_count_does_not_grow(logged, user, make_org):
    trash_entity(user=user, entity=make_org("First"))
    url = reverse("trash")
    logged.get(url)
    with CaptureQueriesContext(connection) as few:
        logged.get(url)
    for number in range(8):
        trash_entity(user=user, entity=make_org(f"Org {number}"))
    with CaptureQueriesContext(connection) as many:
        page = logged.get(url).content.decode()
    assert "Org 7" in page
    assert len(many) == len(few)


def test_keyset_pages(logged, user, make_org, monkeypatch):
    from tandem.web.views import trash as trash_views

    monkeypatch.setattr(trash_views, "PAGE_SIZE", 2)
    for number in range(5):
        trash_entity(user=user, entity=make_org(f"Org {number}"))
    seen = []
    url = reverse("trash")
    for _page in range(3):
        response = logged.get(url)
        rows = [entity.label for entity in response.context["entities"]]
        seen.extend(rows)
        cursor = response.context["next_cursor"]
        if not cursor:
            break
        url = reverse("trash") + "?" + f"after={cursor}"
    assert sorted(seen) == [f"Org {number}" for number in range(5)]
    assert len(set(seen)) == 5


def test_bad_cursor_shows_the_first_page(logged, user, make_org):
    trash_entity(user=user, entity=make_org("ACME"))
    assert "ACME" in logged.get(reverse("trash"), {"after": "garbage"}).content.decode()


def test_restore(logged, user, make_org):
    acme, other = make_org("ACME"), make_org("Other")
    link(user=user, subject=acme, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=other)
    trash_entity(user=user, entity=acme)
    url = reverse("trash_restore", args=[acme.uuid])
    assert logged.get(url).status_code == 405
    response = logged.post(url, follow=True)
    assert "was restored" in response.content.decode()
    acme.refresh_from_db()
    assert not acme.is_deleted
    assert Relation.objects.filter(subject=acme).count() == 1  # relations came back too


def test_delete_for_good(logged, user, make_org):
    acme, other = make_org("ACME"), make_org("Other")
    link(user=user, subject=acme, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=other)
    trash_entity(user=user, entity=acme)
    response = logged.post(reverse("trash_delete", args=[acme.uuid]), follow=True)
    assert "was deleted for good" in response.content.decode()
    assert not Entity.objects.filter(pk=acme.pk).exists()
    assert not Relation.objects.filter(subject=other).exists()
    assert HistoryEntry.objects.filter(entity=other, kind=HistoryEntry.Kind.UNRELATED).exists()


def test_entities_outside_the_trash_cannot_be_deleted_or_restored_here(logged, make_org):
    acme = make_org("ACME")
    assert logged.post(reverse("trash_delete", args=[acme.uuid])).status_code == 404
    assert logged.post(reverse("trash_restore", args=[acme.uuid])).status_code == 404
    assert Entity.objects.filter(pk=acme.pk, is_deleted=False).exists()


def test_empty_the_trash(logged, user, make_org, make_contact):
    keep = make_org("Keep")
    for entity in (make_org("A"), make_org("B"), make_contact("Bob")):
        trash_entity(user=user, entity=entity)
    response = logged.post(reverse("trash_empty"), follow=True)
    assert "3 entities were deleted for good" in response.content.decode()
    assert not Entity.objects.filter(is_deleted=True).exists()
    assert Entity.objects.filter(pk=keep.pk).exists()


def test_emptying_an_empty_trash_says_so(logged):
    response = logged.post(reverse("trash_empty"), follow=True)
    assert "already empty" in response.content.decode()


def test_engine_refusal_is_shown_and_the_rest_is_deleted(logged, user, our_company, make_org):
    # A managed organisation that got into the trash (while another was managed) and is now
    # the last managed one: the engine refuses to delete it.
    other = make_org("Other")
    Organisation.objects.filter(pk=other.pk).update(is_managed=True)
    trash_entity(user=user, entity=our_company)
    Organisation.objects.filter(pk=other.pk).update(is_managed=False)
    Organisation.objects.filter(pk=our_company.pk).update(is_managed=True)
    plain = make_org("Plain")
    trash_entity(user=user, entity=plain)
    response = logged.post(reverse("trash_empty"), follow=True)
    page = response.content.decode()
    assert "is the last organisation managed by us" in page
    assert "1 entity was deleted for good" in page
    assert Entity.objects.filter(pk=our_company.pk).exists()
    assert not Entity.objects.filter(pk=plain.pk).exists()
    response = logged.post(reverse("trash_delete", args=[our_company.uuid]), follow=True)
    assert "is the last organisation managed by us" in response.content.decode()
    assert Entity.objects.filter(pk=our_company.pk).exists()


def test_trash_speaks_french(logged):
    page = logged.get(reverse("trash"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'lang="fr"' in page
