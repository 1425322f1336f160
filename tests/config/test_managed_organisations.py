"""Managed organisations: list, mark another one, stop managing (never zero)."""

import pytest
from django.urls import reverse

from tandem.core.services import trash_entity
from tandem.persons.models import Organisation

pytestmark = pytest.mark.django_db


def test_page_lists_ours_and_candidates(logged, our_company, make_org):
    make_org("Globex")
    page = logged.get(reverse("config:managed_organisations")).content.decode()
    assert our_company.name in page
    assert "Globex" in page and "Mark as ours" in page


def test_search_narrows_candidates(logged, make_org):
    make_org("Globex")
    make_org("Initech")
    page = logged.get(reverse("config:managed_organisations"), {"q": "glob"}).content.decode()
    assert "Globex" in page and "Initech" not in page
    page = logged.get(reverse("config:managed_organisations"), {"q": "zzz"}).content.decode()
    assert "No other organisation matches" in page


def test_trashed_organisations_are_not_offered(logged, user, make_org):
    gone = make_org("Gone Ltd")
    trash_entity(user=user, entity=gone)
    page = logged.get(reverse("config:managed_organisations")).content.decode()
    assert "Gone Ltd" not in page


def test_mark_then_stop_managing(logged, our_company, make_org):
    globex = make_org("Globex")
    url = reverse("config:set_organisation_managed", args=[globex.uuid])
    response = logged.post(url, {"managed": "1"}, follow=True)
    assert "is now one of our organisations" in response.content.decode()
    globex.refresh_from_db()
    assert globex.is_managed
    logged.post(
        reverse("config:set_organisation_managed", args=[our_company.uuid]), {"managed": "0"}
    )
    our_company.refresh_from_db()
    assert not our_company.is_managed


def test_stopping_the_last_one_is_refused_with_the_engine_message(logged, our_company):
    response = logged.post(
        reverse("config:set_organisation_managed", args=[our_company.uuid]),
        {"managed": "0"},
        follow=True,
    )
    page = response.content.decode()
    assert "is the last organisation managed by us" in page
    assert 'class="message error"' in page
    assert Organisation.objects.get(pk=our_company.pk).is_managed


def test_get_is_not_allowed(logged, our_company):
    url = reverse("config:set_organisation_managed", args=[our_company.uuid])
    assert logged.get(url).status_code == 405
