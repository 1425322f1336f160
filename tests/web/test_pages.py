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


def test_the_language_choice_is_kept_on_the_account(client, user):
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/organisations/"})
    assert response.status_code == 302
    assert response.url == "/organisations/"
    user.refresh_from_db()
    assert user.language == "fr"
    # Another browser, English by default, gets the account's language once logged in.
    from django.test import Client

    other = Client()
    other.force_login(user)
    page = other.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="fr"' in page


def test_the_language_switch_refuses_unknown_languages_and_foreign_redirects(client, user):
    client.force_login(user)
    response = client.post(
        reverse("set_language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response.url == "/"
    user.refresh_from_db()
    assert user.language == ""


def test_error_pages_are_styled(client, user, settings):
    client.force_login(user)
    page = client.get("/organisations/00000000-0000-0000-0000-000000000000/")
    assert page.status_code == 404
    assert "Back to the home page" in page.content.decode()
    from tandem.web.views.errors import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_every_icon_used_by_a_template_is_in_the_sprite():
    import re
    from pathlib import Path

    from django.conf import settings

    sprite = (Path(settings.NODE_MODULES) / "lucide-static" / "sprite.svg").read_text()
    root = Path(__file__).resolve().parents[2] / "src" / "tandem"
    used = set()
    for path in [*root.rglob("*.html"), *root.rglob("apps.py")]:
        used |= set(re.findall(r'icon[ =]"([a-z0-9-]+)"', path.read_text()))
    assert used, "no icon found: the pattern is wrong"
    missing = sorted(name for name in used if f'id="{name}"' not in sprite)
    assert not missing


def test_logout_asks_on_get_and_says_so_after_post(client, user):
    client.force_login(user)
    page = client.get(reverse("logout"))
    assert page.status_code == 200 and "Log out of Tandem?" in page.content.decode()
    assert client.get(reverse("home")).status_code == 200  # still logged in
    response = client.post(reverse("logout"), follow=True)
    assert "You are logged out." in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
