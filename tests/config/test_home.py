"""The configuration home page and its access rules."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    "config:home",
    "config:relation_types",
    "config:relation_type_create",
    "config:property_types",
    "config:property_type_create",
    "config:choice_lists",
    "config:managed_organisations",
]


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_a_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
def test_pages_answer(logged, name):
    assert logged.get(reverse(name)).status_code == 200


def test_home_links_the_four_sections(logged):
    page = logged.get(reverse("config:home")).content.decode()
    assert "General configuration" in page
    for name in PAGES[1:]:
        if not name.endswith("_create"):
            assert f'href="{reverse(name)}"' in page


def test_home_speaks_french(logged):
    page = logged.get(reverse("config:home"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'lang="fr"' in page


def test_writes_need_csrf(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        reverse("config:relation_type_create"),
        {"subject_predicate": "likes", "object_predicate": "is liked by"},
    )
    assert response.status_code == 403
