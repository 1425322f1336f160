"""The first pages: login, home, in English and French."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_needs_a_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_then_home_shows_our_company(client, user):
    response = client.post(
        reverse("login"), {"username": "alice", "password": "a-long-password-42"}
    )
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert "ReplaceByYourCompany" in page
    assert "Accounts and contacts" in page


def test_wrong_password_is_told(client, user):
    page = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert "didn't match" in page.content.decode()


def test_pages_speak_french(client, user):
    client.force_login(user)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Comptes et contacts" in page
    assert 'lang="fr"' in page


def test_health(client):
    assert client.get(reverse("health")).json() == {"status": "ok"}


def test_logout_needs_post_with_csrf(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(reverse("logout")).status_code == 403
