"""Logged-in client for the configuration screens."""

import pytest


@pytest.fixture
def logged(client, user):
    client.force_login(user)
    return client
