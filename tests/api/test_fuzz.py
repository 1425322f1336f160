"""schemathesis fuzzes the live API from its OpenAPI document: whatever it sends, the answer
is never a 5xx, always has a documented status and content type, and matches its schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tandem.core.models import User
from tandem.core.populate import populate_all
from tandem.core.services import create_entity
from tandem.core.services.tokens import create_token
from tandem.persons.models import Organisation

#: Examples per operation and mode: enough to reach every error path, quick on 3 databases.
EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def fuzz_token(transactional_db) -> str:
    """A token on a database holding the default data and a record or two to find."""
    populate_all()
    user = User.objects.create_user("fuzzer", password="a-long-password-42")
    create_entity(user=user, model=Organisation, data={"name": "Fuzz Target"})
    return create_token(user=user, name="fuzz")[1]


@pytest.fixture
def live_api(live_server, fuzz_token):
    with override_settings(TANDEM_API_RATE="0"):  # fuzzing is many requests a second
        yield schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")


def test_the_api_answers_every_request_as_documented(live_api, fuzz_token):
    """Valid and invalid requests for every operation. (schemathesis' pytest plugin does not
    support this pytest yet, so the operations are walked here.)"""
    headers = {"Authorization": f"Bearer {fuzz_token}"}
    failures = []
    operations = [result.ok() for result in live_api.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def call(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                call()
            except (Exception, BaseExceptionGroup) as error:  # report every operation's
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert not failures, "\n\n".join(failures)
