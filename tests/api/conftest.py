"""An API client with a real bearer token, and short helpers for JSON calls."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from tandem.core.services.tokens import create_token


class ApiClient:
    """Django's test client speaking JSON to /api/v1/ with a bearer token."""

    def __init__(self, secret: str | None, language: str = "en") -> None:
        self.client = Client(HTTP_HOST="127.0.0.1")
        self.headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if secret:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"

    def _url(self, path: str, params: dict[str, Any]) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"/api/v1/{path.lstrip('/')}{query}"

    def get(self, path: str, **params: Any):
        return self.client.get(self._url(path, params), **self.headers)

    def delete(self, path: str, **params: Any):
        return self.client.delete(self._url(path, params), **self.headers)

    def post(self, path: str, body: Any = None, **params: Any):
        return self._send("post", path, body, params)

    def patch(self, path: str, body: Any = None, **params: Any):
        return self._send("patch", path, body, params)

    def _send(self, method: str, path: str, body: Any, params: dict[str, Any]):
        return getattr(self.client, method)(
            self._url(path, params),
            json.dumps(body, default=str) if body is not None else "",
            content_type="application/json",
            **self.headers,
        )


@pytest.fixture
def token(user) -> str:
    return create_token(user=user, name="tests")[1]


@pytest.fixture
def api(token) -> ApiClient:
    return ApiClient(token)


@pytest.fixture
def api_fr(token) -> ApiClient:
    return ApiClient(token, language="fr")


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient(None)


def assert_problem(response, status: int, *fields: str) -> dict[str, Any]:
    """The response is a problem document with ``status``, naming ``fields`` in errors."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    for field in fields:
        assert field in body["errors"], body
    return body
