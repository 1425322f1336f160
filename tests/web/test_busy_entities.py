"""An entity with many relations: its page shows the first of each type and their totals at a
fixed cost, and "show all" pages through the rest."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.core.selectors import relation_summary
from tandem.core.services import bulk_link, link
from tandem.persons import constants as c

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def hub(user, make_org):
    hub = make_org("Hub")
    partners = [make_org(f"Partner {n:03d}") for n in range(130)]
    bulk_link(user=user, relation_type=c.REL_SUB_PARTNER, pairs=[(hub.pk, p.pk) for p in partners])
    for n in range(3):
        link(
            user=user,
            subject=make_org(f"Customer {n}"),
            relation_type=c.REL_SUB_CUSTOMER_SUPPLIER,
            object=hub,
        )
    return hub


def test_the_summary_keeps_the_first_of_each_type_and_the_totals(hub, django_assert_num_queries):
    with django_assert_num_queries(3):
        groups = {str(group.relation_type): group for group in relation_summary(hub)}
    partners = groups["is a partner of"]
    assert partners.total == 130 and len(partners.relations) == 20 and partners.more == 110
    assert [r.object.label for r in partners.relations][:2] == ["Partner 000", "Partner 001"]
    assert groups["is a supplier of"].total == 3 and groups["is a supplier of"].more == 0


def test_the_detail_page_costs_the_same_for_a_busy_entity(logged_in, user, hub, make_org):
    quiet = make_org("Quiet")
    link(user=user, subject=quiet, relation_type=c.REL_SUB_PARTNER, object=make_org("Only friend"))

    def queries_of(entity) -> tuple[int, str]:
        url = reverse("entity_detail", args=["organisations", entity.uuid])
        logged_in.get(url)
        with CaptureQueriesContext(connection) as queries:
            page = logged_in.get(url).content.decode()
        return len(queries), page

    busy_count, busy_page = queries_of(hub)
    quiet_count, _page = queries_of(quiet)
    assert busy_count == quiet_count
    assert "Show all 130 relations" in busy_page
    assert ">133<" in busy_page  # the header counts them all
    assert len(re.findall(r">Partner \d{3}</a>", busy_page)) == 20


def test_show_all_pages_through_every_relation(logged_in, hub):
    url = reverse("entity_relations", args=["organisations", hub.uuid, c.REL_SUB_PARTNER])
    first = logged_in.get(url).content.decode()
    names = re.findall(r">(Partner \d{3})</a>", first)
    assert len(names) == 100 and names[0] == "Partner 000"
    next_link = re.search(r'href="(\?after=[^"]+)" rel="next"', first).group(1)
    second = logged_in.get(url + next_link).content.decode()
    rest = re.findall(r">(Partner \d{3})</a>", second)
    assert rest[0] == "Partner 100" and len(rest) == 30
    assert 'rel="next"' not in second
    bad = reverse("entity_relations", args=["organisations", hub.uuid, "no-such-type"])
    assert logged_in.get(bad).status_code == 404
    assert logged_in.get(url + "?after=garbage").status_code == 200
