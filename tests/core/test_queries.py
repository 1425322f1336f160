"""Reading relations costs a fixed number of queries, whatever their number."""

import pytest

from tandem.core.selectors import grouped_relations_of, relations_of
from tandem.core.services import bulk_link, link
from tandem.persons import constants as c
from tandem.persons.models import Organisation
from tests.invariants import assert_pairs_are_consistent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [1, 40])
def test_relations_of_an_entity_take_one_query(user, make_org, count, django_assert_num_queries):
    hub = make_org("Hub")
    for n in range(count):
        link(user=user, subject=hub, relation_type=c.REL_SUB_PARTNER, object=make_org(f"P{n}"))
    with django_assert_num_queries(1):
        relations = relations_of(hub)
        labels = [(str(r.type), r.object.label) for r in relations]
    assert len(labels) == count
    with django_assert_num_queries(1):
        groups = grouped_relations_of(hub)
    assert [len(group.relations) for group in groups] == [count]


def test_bulk_link_writes_pairs_and_history(user, make_org, django_assert_max_num_queries):
    hub = make_org("Hub")
    others = [make_org(f"O{n}") for n in range(30)]
    pairs = [(other.pk, hub.pk) for other in others]
    with django_assert_max_num_queries(12):
        written = bulk_link(
            user=user, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, pairs=pairs, batch_size=1000
        )
    assert written == 30
    assert_pairs_are_consistent()
    assert len(relations_of(hub)) == 30
    assert hub.history.filter(kind="related").count() == 30


def test_bulk_link_refuses_a_whole_batch_with_a_duplicate(user, make_org):
    from tandem.core.exceptions import RelationRefused
    from tandem.core.models import Relation

    a, b, d = make_org("A"), make_org("B"), make_org("D")
    link(user=user, subject=a, relation_type=c.REL_SUB_PARTNER, object=b)
    with pytest.raises(RelationRefused, match="already exist"):
        bulk_link(user=user, relation_type=c.REL_SUB_PARTNER, pairs=[(d.pk, b.pk), (a.pk, b.pk)])
    assert Relation.objects.count() == 2
    with pytest.raises(RelationRefused, match="same"):
        bulk_link(user=user, relation_type=c.REL_SUB_PARTNER, pairs=[(d.pk, d.pk)])
    with pytest.raises(RelationRefused, match="does not allow"):
        bulk_link(user=user, relation_type=c.REL_SUB_EMPLOYED_BY, pairs=[(d.pk, b.pk)])
    assert Organisation.objects.count() == 4
