"""Merging two entities in the web UI: pick the duplicate, choose values side by side."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.core.models import Entity, HistoryEntry, Relation
from tandem.core.services import link, update_entity
from tandem.persons import constants as c
from tandem.persons.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def merge_url(entity):
    return reverse("entity_merge", args=["organisations", entity.uuid])


def test_picking_the_duplicate(logged_in, make_org):
    acme = make_org("Acme")
    make_org("Acme Incorporated")
    page = logged_in.get(merge_url(acme), {"q": "acme"}).content.decode()
    assert "Acme Incorporated" in page
    assert f"?with={acme.uuid}" not in page  # not itself
    assert "Compare and merge" in page


def test_the_side_by_side_form_and_the_merge(logged_in, user, make_org):
    keep = make_org("Acme", email="", website="acme.example", billing_address={"city": "Lyon"})
    away = make_org(
        "ACME Inc",
        email="info@acme.example",
        website="acme.test",
        billing_address={"city": "Paris"},
    )
    partner = make_org("Partner")
    link(user=user, subject=away, relation_type=c.REL_SUB_PARTNER, object=partner)
    page = logged_in.get(merge_url(keep), {"with": away.uuid}).content.decode()
    assert "Merge “ACME Inc” into “Acme”" in page
    # Empty on the kept side: the other's value is chosen by default.
    assert 'name="field_email" value="take" checked' in page
    assert 'name="field_website" value="keep" checked' in page
    response = logged_in.post(
        merge_url(keep),
        {
            "with": away.uuid,
            "survivor_version": keep.version,
            "merged_version": away.version,
            "field_email": "take",
            "field_website": "keep",
            "field_billing_address": "take",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("entity_detail", args=["organisations", keep.uuid])
    kept = Organisation.objects.get(pk=keep.pk)
    assert (kept.email, kept.website, kept.billing_address.city) == (
        "info@acme.example",
        "acme.example",
        "Paris",
    )
    assert not Entity.objects.filter(pk=away.pk).exists()
    assert Relation.objects.filter(subject=keep, object=partner).exists()
    detail = logged_in.get(response["Location"]).content.decode()
    assert "“ACME Inc” was merged into “Acme”." in detail
    assert "“ACME Inc” merged into this one" in detail


def test_a_stale_form_merges_nothing(logged_in, user, make_org):
    keep, away = make_org("Acme"), make_org("Acme 2")
    form = {"with": away.uuid, "survivor_version": keep.version, "merged_version": away.version}
    update_entity(user=user, entity=away, data={"email": "new@acme.example"}, version=away.version)
    response = logged_in.post(merge_url(keep), form)
    assert response.status_code == 400
    assert "was changed by someone else since you opened the merge" in response.content.decode()
    assert Entity.objects.filter(pk=away.pk).exists()


def test_invalid_choices_are_reported_by_field(logged_in, make_contact):
    keep = make_contact("Ann", birth_day=31, birth_month=1)
    away = make_contact("Ann", birth_day=15, birth_month=2)
    url = reverse("entity_merge", args=["contacts", keep.uuid])
    response = logged_in.post(
        url,
        {
            "with": away.uuid,
            "survivor_version": 1,
            "merged_version": 1,
            "field_birth_month": "take",
        },
    )
    assert response.status_code == 400
    assert Entity.objects.filter(pk=away.pk).exists()
    assert not HistoryEntry.objects.filter(kind="merged").exists()


def test_bad_partners_are_refused(logged_in, make_org, make_contact):
    acme = make_org("Acme")
    person = make_contact("Ann")
    for other in (acme.uuid, person.uuid, "not-a-uuid"):
        response = logged_in.get(merge_url(acme), {"with": other}, follow=True)
        assert "Choose another entity of the same type to merge with." in response.content.decode()


def test_merging_from_the_list_needs_two_rows(logged_in, make_org):
    a, b, d = make_org("A"), make_org("B"), make_org("D")
    bulk = reverse("entity_bulk", args=["organisations"])
    response = logged_in.post(bulk, {"action": "merge", "selected": [str(b.uuid), str(a.uuid)]})
    assert response.status_code == 302
    assert response["Location"] == f"{merge_url(b)}?with={a.uuid}"
    page = logged_in.post(
        bulk, {"action": "merge", "selected": [str(a.uuid), str(b.uuid), str(d.uuid)]}, follow=True
    )
    assert "Select exactly two rows to merge them." in page.content.decode()


def test_a_trashed_entity_cannot_be_the_one_kept(logged_in, user, make_org):
    from tandem.core.services import trash_entity

    gone, alive = make_org("Gone"), make_org("Alive")
    trash_entity(user=user, entity=gone)
    page = logged_in.get(merge_url(gone), {"with": alive.uuid}, follow=True).content.decode()
    assert "“Gone” is in the trash: restore it before merging it." in page
    assert "merge-table" not in page


def test_merging_one_of_ours_away_is_announced(logged_in, make_org, our_company):
    other = make_org("Other")
    page = logged_in.get(merge_url(other), {"with": our_company.uuid}).content.decode()
    assert "is one of our organisations: “Other” becomes one of ours in its place." in page


def test_taking_the_other_name_says_the_two_are_one(logged_in, make_org):
    keep, away = make_org("Dup Alpha 2"), make_org("Dup Alpha")
    response = logged_in.post(
        merge_url(keep),
        {
            "with": away.uuid,
            "survivor_version": keep.version,
            "merged_version": away.version,
            "field_name": "take",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "The two records are now one: “Dup Alpha”." in page
    assert "was merged into" not in page
