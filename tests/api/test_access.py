"""Tokens, sessions, CSRF, throttling, size limits and the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings

from tandem.core.models import ApiToken
from tandem.core.services.tokens import create_token

from .conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db


def test_no_token_or_a_bad_one_is_401(anonymous, user):
    body = assert_problem(anonymous.get("organisations"), 401)
    assert "Bearer" in body["detail"]
    assert anonymous.get("organisations")["WWW-Authenticate"] == "Bearer"
    assert_problem(ApiClient("tdm_not-a-real-token").get("organisations"), 401)
    assert_problem(ApiClient("tdm_x").post("organisations", {"name": "A"}), 401)


def test_tokens_are_stored_hashed_and_can_be_revoked(user):
    token, secret = create_token(user=user, name="script")
    assert secret not in {token.digest, token.prefix} and secret.startswith(token.prefix)
    assert not ApiToken.objects.filter(digest__contains=secret[10:]).exists()
    client = ApiClient(secret)
    assert client.get("organisations").status_code == 200
    token.delete()
    assert_problem(client.get("organisations"), 401)


def test_a_deactivated_users_token_stops_working(user, token):
    user.is_active = False
    user.save()
    assert_problem(ApiClient(token).get("organisations"), 401)


def test_the_browser_session_works_and_needs_csrf_to_write(user):
    browser = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get("/api/v1/organisations").status_code == 200
    refused = browser.post("/api/v1/organisations", {"name": "A"}, content_type="application/json")
    assert_problem(refused, 403)
    browser.get("/")  # the page sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/v1/organisations",
        json.dumps({"name": "A"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert accepted.status_code == 201, accepted.content


@override_settings(TANDEM_API_RATE="3/m")
def test_too_many_requests_get_429_with_retry_after(api):
    cache.clear()
    statuses = [api.get("organisations").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("organisations")
    assert_problem(response, 429)
    assert 0 < int(response["Retry-After"]) <= 61
    cache.clear()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_too_large_is_413(api):
    assert_problem(api.post("organisations", {"name": "A", "description": "x" * 2000}), 413)


def test_errors_speak_the_callers_language(api_fr, anonymous):
    body = assert_problem(api_fr.get("organisations/00000000-0000-0000-0000-000000000000"), 404)
    assert body["title"] == "Introuvable"
    assert_problem(ApiClient(None, language="fr").get("organisations"), 401)


def test_the_openapi_document_describes_every_endpoint(anonymous):
    response = anonymous.client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/organisations",
        "/api/v1/organisations/{uuid}",
        "/api/v1/organisations/{uuid}/restore",
        "/api/v1/contacts/{uuid}/relations",
        "/api/v1/contacts/{uuid}/history",
        "/api/v1/contacts/{uuid}/properties/{type_id}",
        "/api/v1/relations",
        "/api/v1/relations/bulk",
        "/api/v1/relation-types/{type_id}",
        "/api/v1/property-types",
    ):
        assert path in paths, path
    created = paths["/api/v1/organisations"]["post"]["responses"]
    assert "application/problem+json" in created["400"]["content"]
    assert set(schema["components"]["securitySchemes"]) == {"BearerToken", "BrowserSession"}
    organisation = schema["components"]["schemas"]["Organisation"]["properties"]
    assert {"uuid", "version", "owner", "phones", "billing_address", "siren"} <= set(organisation)
    filters = {p["name"] for p in paths["/api/v1/organisations"]["get"]["parameters"]}
    assert {"limit", "cursor", "q", "order", "include_trashed", "billing_address__city"} <= filters


def test_the_interactive_docs_use_local_files_only(anonymous):
    page = anonymous.client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html and "cdn" not in html.lower()


def test_the_token_command_creates_lists_and_revokes(user, capsys):
    call_command("token", "create", "alice", "--name", "nightly import")
    secret = capsys.readouterr().out.strip()
    assert ApiClient(secret).get("contacts").status_code == 200
    call_command("token", "list", "alice")
    listed = capsys.readouterr().out
    assert "nightly import" in listed and secret not in listed
    token = ApiToken.objects.get(name="nightly import")
    call_command("token", "revoke", str(token.pk))
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nobody"):
        call_command("token", "create", "nobody")
