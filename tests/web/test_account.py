"""The account page: API tokens created (secret shown once), listed and revoked."""

import re

import pytest
from django.urls import reverse

from tandem.core.models import ApiToken
from tandem.core.services.tokens import create_token

pytestmark = pytest.mark.django_db


def _secret(page: str) -> str:
    match = re.search(r'id="new-token"[^>]*value="(tdm_[^"]+)"', page)
    assert match, page
    return match[1]


def test_a_token_is_shown_once_then_only_its_prefix(client, user):
    client.force_login(user)
    assert "You have no API token yet." in client.get(reverse("account")).content.decode()
    created = client.post(reverse("account"), {"name": "nightly import"})
    assert created.status_code == 302  # a reload of the next page does not create another
    response = client.get(reverse("account"))
    assert response["Cache-Control"] == "no-store"
    secret = _secret(response.content.decode())
    assert ApiToken.objects.filter(user=user).count() == 1
    api = client.get(
        "/api/v1/contacts", HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_HOST="127.0.0.1"
    )
    assert api.status_code == 200
    again = client.get(reverse("account")).content.decode()
    assert secret not in again and "nightly import" in again
    assert ApiToken.objects.get(user=user).prefix in again


def test_revoking_a_token(client, user):
    client.force_login(user)
    token, _secret_value = create_token(user=user, name="old script")
    response = client.post(reverse("token_revoke", args=[token.pk]), follow=True)
    assert "revoked" in response.content.decode()
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_someone_elses_token_cannot_be_revoked(client, user, other_user):
    token, _secret_value = create_token(user=other_user, name="bob's")
    client.force_login(user)
    assert client.post(reverse("token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_a_name_with_control_characters_is_refused(client, user):
    client.force_login(user)
    page = client.post(reverse("account"), {"name": "a\x00b"}).content.decode()
    assert "control characters" in page
    assert not ApiToken.objects.exists()


def test_a_too_long_name_is_told_next_to_the_field(client, user):
    client.force_login(user)
    page = client.post(reverse("account"), {"name": "x" * 101}).content.decode()
    assert "At most 100 characters." in page and 'aria-invalid="true"' in page
    assert not ApiToken.objects.exists()


def test_the_account_page_speaks_french(client, user):
    client.force_login(user)
    page = client.get(reverse("account"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Jetons d&#x27;API" in page or "Jetons d'API" in page
    assert "Créer un jeton" in page
