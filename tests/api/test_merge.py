"""``POST /api/v1/<type>/{uuid}/merge``: the same merge as the web UI's."""

from __future__ import annotations

import pytest

from tandem.core.models import Entity, Relation
from tandem.core.services import link
from tandem.persons import constants as c

from .conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_merging_through_the_api(api, user, make_org):
    keep = make_org("Acme")
    away = make_org("ACME Inc", email="info@acme.example")
    partner = make_org("Partner")
    link(user=user, subject=away, relation_type=c.REL_SUB_PARTNER, object=partner)
    body = {"other": str(away.uuid), "version": 1, "other_version": 1, "take": ["email"]}
    response = api.post(f"/organisations/{keep.uuid}/merge", body)
    assert response.status_code == 200, response.content
    assert response.json()["email"] == "info@acme.example"
    assert response.json()["version"] == 2
    assert not Entity.objects.filter(pk=away.pk).exists()
    assert Relation.objects.filter(subject=keep, object=partner).exists()


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"take": ["is_managed"]}, 400, "take"),
        ({"version": 7}, 409, None),
        ({"other_version": 7}, 409, None),
        ({"other": "00000000-0000-0000-0000-000000000000"}, 404, None),
        ({"surprise": 1}, 400, "surprise"),
    ],
)
def test_bad_merges_change_nothing(api, make_org, change, status, field):
    keep, away = make_org("Keep"), make_org("Away")
    body = {"other": str(away.uuid), "version": 1, "other_version": 1, "take": [], **change}
    response = api.post(f"/organisations/{keep.uuid}/merge", body)
    assert_problem(response, status, *([field] if field else []))
    assert Entity.objects.filter(pk=away.pk).exists()


def test_merging_with_itself_or_another_type_is_refused(api, make_org, make_contact):
    keep = make_org("Keep")
    person = make_contact("Ann")
    body = {"other": str(keep.uuid), "version": 1, "other_version": 1}
    assert api.post(f"/organisations/{keep.uuid}/merge", body).status_code == 400
    body["other"] = str(person.uuid)
    assert api.post(f"/organisations/{keep.uuid}/merge", body).status_code == 404
    assert Entity.objects.filter(pk=person.pk).exists()
