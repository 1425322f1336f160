"""Shared fixtures: the populated database, users and short factories for entities."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.db import connection
from django.utils import translation

from tandem.core.models import RelationType, User
from tandem.core.populate import populate_all
from tandem.core.services import create_entity
from tandem.persons.models import Contact, Organisation


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from a database with Tandem's default data, as after install."""
    with django_db_blocker.unblock():
        populate_all()


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English: a request through LocaleMiddleware leaves its language
    active in the thread, which would otherwise leak into the next test."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def user(db) -> User:
    return User.objects.create_user("alice", password="a-long-password-42")


@pytest.fixture
def other_user(db) -> User:
    return User.objects.create_user("bob", password="another-password-42")


@pytest.fixture
def make_org(user):
    def make(name: str, **data) -> Organisation:
        return create_entity(user=user, model=Organisation, data={"name": name, **data})

    return make


@pytest.fixture
def make_contact(user):
    def make(first_name: str, last_name: str = "", **data) -> Contact:
        return create_entity(
            user=user,
            model=Contact,
            data={"first_name": first_name, "last_name": last_name, **data},
        )

    return make


@pytest.fixture
def our_company(db) -> Organisation:
    return Organisation.objects.get(is_managed=True)


@pytest.fixture
def relation_type():
    """A built-in relation type side by id."""

    def get(type_id: str) -> RelationType:
        return RelationType.objects.select_related("reverse").get(pk=type_id)

    return get


@pytest.fixture
def vendor() -> str:
    return connection.vendor


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Hand the counts to scripts/run_tests.py, which adds up the three databases' runs."""
    target = os.environ.get("TANDEM_TEST_COUNTS_FILE")
    if not target:
        return
    stats = terminalreporter.stats
    counts = {
        "passed": len(stats.get("passed", [])),
        "failed": len(stats.get("failed", [])) + len(stats.get("error", [])),
        "skipped": len(stats.get("skipped", [])),
    }
    Path(target).write_text(json.dumps(counts))
