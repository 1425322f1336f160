"""Managed organisations and the "Transform into…" shortcuts."""

import pytest

from tandem.core.exceptions import ActionRefused, RelationRefused
from tandem.core.models import Relation
from tandem.persons import constants as c
from tandem.persons.services import TRANSFORMATIONS, set_managed, transform

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("into", "type_id"), [(k, v[0]) for k, v in TRANSFORMATIONS.items()])
def test_transform_links_to_our_company(user, make_org, our_company, into, type_id):
    c_org = make_org("C")
    relation = transform(user=user, entity=c_org, into=into)
    assert (relation.subject_id, relation.type_id, relation.object_id) == (
        c_org.pk,
        type_id,
        our_company.pk,
    )
    with pytest.raises(RelationRefused, match="already exists"):
        transform(user=user, entity=c_org, into=into)


def test_transform_into_a_prospect_as_in_the_seed(user, make_org, our_company):
    prospect = make_org("C")
    transform(user=user, entity=prospect, into="prospect")
    assert Relation.objects.filter(
        subject=our_company, type_id=c.REL_OBJ_PROSPECT, object=prospect
    ).exists()


def test_transform_asks_which_managed_organisation_when_there_are_several(
    user, make_org, our_company
):
    second = make_org("Our other company")
    set_managed(user=user, organisation=second, managed=True)
    with pytest.raises(ActionRefused, match="Choose which"):
        transform(user=user, entity=make_org("C"), into="customer")
    relation = transform(user=user, entity=make_org("D"), into="customer", managed=second)
    assert relation.object_id == second.pk
    with pytest.raises(ActionRefused, match="not one of our organisations"):
        transform(user=user, entity=make_org("E"), into="customer", managed=make_org("F"))
