"""Property tests: saved filters combine as sets do, and text conditions fold as ``fold`` does
on every database."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.core.filters import apply_filter
from tandem.core.search import fold
from tandem.core.services import create_entity
from tandem.core.services.filters import create_filter
from tandem.persons.models import Organisation

pytestmark = pytest.mark.django_db

ALPHABET = "aeEéÉœŒßłŁøØİ%_ \\'mildrstuvo"
NAMES = ["Œuvre", "oeuvre ß", "Łódź_", "straße", "ØRSTED 100%", "Émile", "e\u0301mile", "O'Neil"]
word = st.text(alphabet=ALPHABET, min_size=1, max_size=4).filter(lambda text: text.strip())
text_condition = st.fixed_dictionaries(
    {
        "type": st.just("field"),
        "field": st.just("name"),
        "operator": st.sampled_from(["iequals", "icontains", "istartswith", "iendswith"]),
        "values": st.lists(word, min_size=1, max_size=2),
        "negate": st.booleans(),
    }
)
number_condition = st.fixed_dictionaries(
    {
        "type": st.just("field"),
        "field": st.just("employees"),
        "operator": st.sampled_from(["gt", "lt", "equals"]),
        "values": st.lists(st.integers(0, 6).map(str), min_size=1, max_size=1),
        "negate": st.just(False),
    }
)
condition = st.one_of(text_condition, number_condition)

OPERATIONS = {
    "iequals": lambda name, value: name == value,
    "icontains": lambda name, value: value in name,
    "istartswith": lambda name, value: name.startswith(value),
    "iendswith": lambda name, value: name.endswith(value),
}


def _expected(organisation, item) -> bool:
    """What a condition means, computed in Python from the stored values."""
    if item["field"] == "name":
        name = fold(organisation.name)
        values = [fold(value) for value in item["values"] if value.strip()]
        matched = any(OPERATIONS[item["operator"]](name, value) for value in values)
        return matched != item["negate"]
    number = int(item["values"][0])
    return {"gt": organisation.employees > number, "lt": organisation.employees < number}.get(
        item["operator"], organisation.employees == number
    )


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    conditions=st.lists(condition, min_size=1, max_size=3), match=st.sampled_from(["all", "any"])
)
def test_filters_match_their_meaning(user, conditions, match):
    with transaction.atomic():
        organisations = [
            create_entity(user=user, model=Organisation, data={"name": name, "employees": n})
            for n, name in enumerate(NAMES)
        ]
        entity_filter = create_filter(
            user=user,
            name="Property",
            entity_type=Organisation.get_entity_type(),
            conditions=conditions,
            match=match,
        )
        combine = all if match == "all" else any
        expected = {
            o.pk for o in organisations if combine(_expected(o, item) for item in conditions)
        }
        queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        found = set(apply_filter(queryset, entity_filter, user).values_list("pk", flat=True))
        assert found == expected, [o.name for o in organisations if o.pk in found ^ expected]
        transaction.set_rollback(True)
