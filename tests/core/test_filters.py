"""Saved filters: every condition kind, combinations, references, loops and broken filters."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.core.exceptions import BuiltInProtected, InUse, NotFound, PermissionDenied
from tandem.core.filters import FilterBroken, FilterContext, apply_filter, date_bounds, filter_q
from tandem.core.models import EntityFilter, PropertyType
from tandem.core.services import add_property, link, trash_entity
from tandem.core.services.filters import create_filter, delete_filter
from tandem.core.services.filters import update_filter as update_filter_service
from tandem.core.services.property_types import create_property_type
from tandem.persons import constants as c
from tandem.persons.models import Contact, Organisation, Sector

pytestmark = pytest.mark.django_db

ORGS = Organisation.get_entity_type
CONTACTS = Contact.get_entity_type


def field(path, operator, *values, negate=False):
    return {
        "type": "field",
        "field": path,
        "operator": operator,
        "values": list(values),
        "negate": negate,
    }


def names(user, entity_filter, model=Organisation):
    rows = apply_filter(model.objects.filter(is_deleted=False), entity_filter, user)
    return sorted(entity.label for entity in rows)


def update_filter(*, match="all", is_private=False, **arguments):
    return update_filter_service(match=match, is_private=is_private, **arguments)


def make_filter(user, conditions, *, entity_type=None, match="all", private=False, name="F"):
    return create_filter(
        user=user,
        name=name,
        entity_type=entity_type or ORGS(),
        conditions=conditions,
        match=match,
        is_private=private,
    )


@pytest.fixture
def towns(make_org):
    make_org("Société Lyonnaise", billing_address={"city": "Lyon"}, employees=50)
    make_org("Paris Conseil", billing_address={"city": "Paris"}, employees=5)
    make_org("Nowhere Ltd", employees=None)
    make_org("100% Bio_Lyon", billing_address={"city": "Lyon 3e"}, employees=500)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (field("billing_address__city", "iequals", "LYON"), ["Société Lyonnaise"]),
        (
            field("billing_address__city", "icontains", "lyon"),
            ["100% Bio_Lyon", "Société Lyonnaise"],
        ),
        (field("billing_address__city", "istartswith", "par"), ["Paris Conseil"]),
        (field("billing_address__city", "iendswith", "3E"), ["100% Bio_Lyon"]),
        (field("billing_address__city", "equals", "lyon"), []),
        (field("billing_address__city", "equals", "Lyon"), ["Société Lyonnaise"]),
        (field("billing_address__city", "contains", "yon"), ["100% Bio_Lyon", "Société Lyonnaise"]),
        (
            field("billing_address__city", "iequals", "Lyon", "Paris"),
            ["Paris Conseil", "Société Lyonnaise"],
        ),
        # "not …" keeps the rows without an address at all.
        (
            field("billing_address__city", "icontains", "lyon", negate=True),
            ["Nowhere Ltd", "Paris Conseil", "ReplaceByYourCompany"],
        ),
        (field("billing_address__city", "empty"), ["Nowhere Ltd", "ReplaceByYourCompany"]),
        (
            field("billing_address__city", "empty", negate=True),
            ["100% Bio_Lyon", "Paris Conseil", "Société Lyonnaise"],
        ),
        # Accents and case ignored both ways; % and _ taken literally.
        (field("label", "iequals", "societe LYONNAISE"), ["Société Lyonnaise"]),
        (field("label", "istartswith", "SOCIÉ"), ["Société Lyonnaise"]),
        (field("label", "icontains", "%"), ["100% Bio_Lyon"]),
        (field("label", "icontains", "o_l"), ["100% Bio_Lyon"]),
        (field("label", "icontains", "s_c"), []),
        (field("name", "equals", "Société Lyonnaise"), ["Société Lyonnaise"]),
        (field("name", "equals", "Societe Lyonnaise"), []),
        (field("employees", "gt", "49"), ["100% Bio_Lyon", "Société Lyonnaise"]),
        (field("employees", "lte", "50"), ["Paris Conseil", "Société Lyonnaise"]),
        (field("employees", "between", "400", "10"), ["Société Lyonnaise"]),
        (field("employees", "equals", "5", "500"), ["100% Bio_Lyon", "Paris Conseil"]),
        (field("employees", "empty"), ["Nowhere Ltd", "ReplaceByYourCompany"]),
        (
            field("employees", "gt", "10", negate=True),
            ["Nowhere Ltd", "Paris Conseil", "ReplaceByYourCompany"],
        ),
        (field("is_managed", "true"), ["ReplaceByYourCompany"]),
    ],
)
def test_field_conditions(user, towns, condition, expected):
    assert names(user, make_filter(user, [condition])) == expected


def test_choice_and_user_fields(user, other_user, make_org):
    retail = Sector.objects.get(name="Retail")
    make_org("Shop", sector=retail)
    make_org("Bank")
    mine = make_filter(user, [field("sector", "in", str(retail.pk))])
    assert names(user, mine) == ["Shop"]
    not_retail = make_filter(user, [field("sector", "in", str(retail.pk), negate=True)])
    assert "Shop" not in names(user, not_retail) and "Bank" in names(user, not_retail)
    owned_by_me = make_filter(user, [field("owner", "in", "me")])
    assert "Shop" in names(user, owned_by_me)
    assert names(other_user, owned_by_me) == []


def test_me_filter_finds_the_users_contact(user, other_user, make_contact):
    me = make_contact("Alice", "Martin")
    Contact.objects.filter(pk=me.pk).update(user=user)
    make_contact("Bob", "Other")
    builtin = EntityFilter.objects.get(name="Me", is_builtin=True)
    assert names(user, builtin, Contact) == ["Alice Martin"]
    assert names(other_user, builtin, Contact) == []


def test_conditions_any_or_all(user, towns):
    conditions = [
        field("billing_address__city", "iequals", "paris"),
        field("employees", "gt", "100"),
    ]
    assert names(user, make_filter(user, conditions, match="any")) == [
        "100% Bio_Lyon",
        "Paris Conseil",
    ]
    assert names(user, make_filter(user, conditions, match="all")) == []
    assert len(names(user, make_filter(user, []))) == 5  # no condition: everything


def test_property_conditions(user, make_org):
    vip = PropertyType.objects.get(pk=c.PROP_IS_VIP)
    acme = make_org("Acme")
    make_org("Beta")
    add_property(user=user, entity=acme, property_type=vip)
    has = {"type": "property", "property_type": vip.pk, "has": True}
    assert names(user, make_filter(user, [has])) == ["Acme"]
    assert "Acme" not in names(user, make_filter(user, [{**has, "has": False}]))


def test_relation_conditions(user, make_org, make_contact, our_company):
    competitor = make_org("Competitor")
    alpha, beta, gamma = make_org("Alpha"), make_org("Beta"), make_org("Gamma")
    link(user=user, subject=alpha, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=our_company)
    link(user=user, subject=beta, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=competitor)
    worker = make_contact("Jo", "Worker")
    link(user=user, subject=gamma, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=worker)
    customer = {"type": "relation", "relation_type": c.REL_SUB_CUSTOMER_SUPPLIER, "has": True}
    assert names(user, make_filter(user, [customer])) == ["Alpha", "Beta", "Gamma"]
    of_competitor = {**customer, "entity": str(competitor.uuid)}
    assert names(user, make_filter(user, [of_competitor])) == ["Beta"]
    of_a_contact = {**customer, "entity_type": "contacts"}
    assert names(user, make_filter(user, [of_a_contact])) == ["Gamma"]
    not_customer = {**customer, "has": False}
    assert "Alpha" not in names(user, make_filter(user, [not_customer]))
    assert "Competitor" in names(user, make_filter(user, [not_customer]))
    # A relation to a trashed entity does not count.
    trash_entity(user=user, entity=competitor)
    assert names(user, make_filter(user, [of_competitor], name="G")) == []


def test_relation_to_a_sub_filter_on_another_type(user, make_org, make_contact, our_company):
    """ "Contacts employed by an organisation that is a customer of ours"."""
    alpha, beta = make_org("Alpha"), make_org("Beta")
    link(user=user, subject=alpha, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=our_company)
    ann, bob = make_contact("Ann"), make_contact("Bob")
    make_contact("Cy")
    link(user=user, subject=ann, relation_type=c.REL_SUB_EMPLOYED_BY, object=alpha)
    link(user=user, subject=bob, relation_type=c.REL_SUB_EMPLOYED_BY, object=beta)
    customers = EntityFilter.objects.get(name="My customers", entity_type=ORGS())
    assert names(user, customers) == ["Alpha"]
    employed = make_filter(
        user,
        [
            {
                "type": "relation_filter",
                "relation_type": c.REL_SUB_EMPLOYED_BY,
                "filter": customers.pk,
            }
        ],
        entity_type=CONTACTS(),
    )
    assert names(user, employed, Contact) == ["Ann"]
    not_employed = make_filter(
        user,
        [
            {
                "type": "relation_filter",
                "relation_type": c.REL_SUB_EMPLOYED_BY,
                "filter": customers.pk,
                "has": False,
            }
        ],
        entity_type=CONTACTS(),
        name="G",
    )
    assert names(user, not_employed, Contact) == ["Bob", "Cy"]


def test_including_another_filter(user, towns):
    lyon = make_filter(user, [field("billing_address__city", "icontains", "lyon")], name="Lyon")
    big = make_filter(
        user, [{"type": "filter", "filter": lyon.pk}, field("employees", "gt", "100")], name="Big"
    )
    assert names(user, big) == ["100% Bio_Lyon"]


def test_date_conditions(user, make_org):
    old = make_org("Old", creation_date=datetime.date(1999, 5, 17))
    make_org("Undated")
    today = timezone.localdate()
    new = make_org("New", creation_date=today)

    def date(range_, **bounds):
        return [{"type": "date", "field": "creation_date", "range": range_, **bounds}]

    assert names(user, make_filter(user, date("today"))) == ["New"]
    assert names(user, make_filter(user, date("past"))) == ["Old"]
    assert names(user, make_filter(user, date("current_year"))) == ["New"]
    assert names(
        user, make_filter(user, date("between", start="1999-01-01", end="1999-12-31"))
    ) == ["Old"]
    assert names(user, make_filter(user, date("between", start="2000-01-01"))) == ["New"]
    assert "Undated" in names(user, make_filter(user, date("empty")))
    assert names(user, make_filter(user, date("not_empty"))) == ["New", "Old"]
    created_today = [{"type": "date", "field": "created", "range": "today"}]
    assert {"New", "Old"} <= set(names(user, make_filter(user, created_today)))
    assert old.pk and new.pk


@pytest.mark.parametrize(
    ("name", "today", "bounds"),
    [
        ("current_month", "2026-12-04", ("2026-12-01", "2026-12-31")),
        ("next_month", "2026-12-04", ("2027-01-01", "2027-01-31")),
        ("previous_month", "2026-03-31", ("2026-02-01", "2026-02-28")),
        ("current_quarter", "2026-12-04", ("2026-10-01", "2026-12-31")),
        ("next_quarter", "2026-12-04", ("2027-01-01", "2027-03-31")),
        ("previous_quarter", "2026-02-10", ("2025-10-01", "2025-12-31")),
        ("previous_year", "2024-02-29", ("2023-01-01", "2023-12-31")),
        ("yesterday", "2026-01-01", ("2025-12-31", "2025-12-31")),
        ("tomorrow", "2024-02-28", ("2024-02-29", "2024-02-29")),
    ],
)
def test_date_ranges(name, today, bounds):
    start, end = date_bounds(name, datetime.date.fromisoformat(today))
    assert (start.isoformat(), end.isoformat()) == bounds


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ("nope", "must be a list"),
        ([{"type": "magic"}], "Condition 1: unknown type"),
        ([field("nothing", "iequals", "x")], "“nothing” is not a field"),
        ([field("employees", "icontains", "x")], "cannot test"),
        ([field("employees", "gt", "many")], "“many” is not a number"),
        ([field("employees", "between", "1")], "needs two values"),
        ([field("name", "iequals")], "give the value"),
        ([field("name", "iequals", "x" * 201)], "at most 200 characters"),
        ([field("name", "iequals", "a\x00b")], "at most 200 characters"),
        ([{"type": "date", "field": "name", "range": "today"}], "not a field"),
        ([{"type": "date", "field": "creation_date", "range": "someday"}], "unknown date range"),
        (
            [{"type": "date", "field": "creation_date", "range": "between", "start": "2026-13-01"}],
            "not a date",
        ),
        ([{"type": "date", "field": "creation_date", "range": "between"}], "at least one"),
        ([{"type": "property", "property_type": "nope"}], "no such property type"),
        ([{"type": "relation", "relation_type": "nope"}], "no such relation type"),
        (
            [
                {
                    "type": "relation",
                    "relation_type": c.REL_SUB_CUSTOMER_SUPPLIER,
                    "entity": "not-a-uuid",
                }
            ],
            "no such entity",
        ),
        (
            [
                {
                    "type": "relation",
                    "relation_type": c.REL_SUB_CUSTOMER_SUPPLIER,
                    "entity_type": "unicorns",
                }
            ],
            "no such entity type",
        ),
        ([{"type": "filter", "filter": 999999}], "no such filter"),
        ([field("name", "iequals", "x")] * 51, "At most 50 conditions"),
    ],
)
def test_bad_conditions_are_refused_with_the_condition_named(user, conditions, message):
    with pytest.raises(ValidationError) as caught:
        make_filter(user, conditions)
    assert message in " ".join(caught.value.message_dict["conditions"])
    assert not EntityFilter.objects.filter(name="F").exists()


def test_name_is_required(user):
    with pytest.raises(ValidationError) as caught:
        make_filter(user, [], name="  ")
    assert "name" in caught.value.message_dict


def test_a_filter_cannot_include_itself_through_a_chain(user):
    a = make_filter(user, [], name="A")
    b = make_filter(user, [{"type": "filter", "filter": a.pk}], name="B")
    cc = make_filter(user, [{"type": "filter", "filter": b.pk}], name="C")
    with pytest.raises(ValidationError) as caught:
        update_filter(
            user=user, entity_filter=a, name="A", conditions=[{"type": "filter", "filter": cc.pk}]
        )
    assert "loop of filters: A → C → B → A" in caught.value.message_dict["conditions"][0]
    with pytest.raises(ValidationError, match="cannot use itself"):
        update_filter(
            user=user, entity_filter=a, name="A", conditions=[{"type": "filter", "filter": a.pk}]
        )
    a.refresh_from_db()
    assert a.conditions == []


def test_include_needs_the_same_type(user):
    contacts = make_filter(user, [], entity_type=CONTACTS(), name="Contacts")
    with pytest.raises(ValidationError, match="another entity type"):
        make_filter(user, [{"type": "filter", "filter": contacts.pk}])


def test_a_filter_in_use_cannot_be_deleted(user):
    used = make_filter(user, [], name="Used")
    make_filter(user, [{"type": "filter", "filter": used.pk}], name="User")
    with pytest.raises(InUse, match="“Used” is used by the filter\\(s\\) “User”"):
        delete_filter(user=user, entity_filter=used)
    assert EntityFilter.objects.filter(pk=used.pk).exists()


def test_privacy_rules(user, other_user):
    private = make_filter(user, [], private=True, name="Mine")
    with pytest.raises(ValidationError, match="is private: a shared filter cannot use it"):
        make_filter(user, [{"type": "filter", "filter": private.pk}], name="Shared")
    # Another user does not see it at all.
    with pytest.raises(ValidationError, match="no such filter"):
        make_filter(other_user, [{"type": "filter", "filter": private.pk}], private=True)
    with pytest.raises(NotFound):
        delete_filter(user=other_user, entity_filter=private)
    shared = make_filter(user, [], name="Shared")
    make_filter(other_user, [{"type": "filter", "filter": shared.pk}], name="Theirs")
    with pytest.raises(ValidationError, match="must stay shared"):
        update_filter(
            user=user, entity_filter=shared, name="Shared", conditions=[], is_private=True
        )
    with pytest.raises(PermissionDenied, match="belongs to alice"):
        update_filter(user=other_user, entity_filter=shared, name="Taken", conditions=[])


def test_builtin_filters_are_protected(user):
    builtin = EntityFilter.objects.get(name="Managed by us")
    with pytest.raises(BuiltInProtected):
        delete_filter(user=user, entity_filter=builtin)
    with pytest.raises(BuiltInProtected):
        update_filter(user=user, entity_filter=builtin, name="Ours", conditions=[])


def test_a_broken_filter_says_what_is_gone(user, make_org):
    custom = create_property_type(user=user, text="is shiny")
    shiny = make_filter(user, [{"type": "property", "property_type": custom.pk}], name="Shiny")
    acme = make_org("Acme")
    linked = make_filter(
        user,
        [
            {
                "type": "relation",
                "relation_type": c.REL_SUB_CUSTOMER_SUPPLIER,
                "entity": str(acme.uuid),
            }
        ],
        name="Linked",
    )
    from tandem.core.services import delete_entity
    from tandem.core.services.property_types import delete_property_type

    delete_property_type(user=user, property_type=custom)
    trash_entity(user=user, entity=acme)
    delete_entity(user=user, entity=acme)
    context = FilterContext.for_user(user)
    with pytest.raises(
        FilterBroken, match="“Shiny” cannot run: a property type it uses has been deleted"
    ):
        filter_q(shiny, context)
    with pytest.raises(FilterBroken, match="an entity it names has been deleted"):
        filter_q(linked, context)


def test_builtin_names_are_translated(db):
    from django.utils import translation

    builtin = EntityFilter.objects.get(name="My customers", entity_type=CONTACTS())
    with translation.override("fr"):
        assert str(builtin) == "Mes clients"


@pytest.mark.parametrize("value", ["emile", "ÉMILE", "e\u0301mile"])
def test_decomposed_accents_are_stored_composed_and_found(user, make_org, value):
    """Typed on a Mac or pasted from a PDF, "é" may arrive as "e" + combining accent."""
    emile = make_org("E\u0301mile & Co", billing_address={"city": "Ve\u0301nissieux"})
    assert Organisation.objects.get(pk=emile.pk).name == "Émile & Co"
    by_name = make_filter(user, [field("name", "icontains", value)])
    by_city = make_filter(user, [field("billing_address__city", "istartswith", "VEN")], name="G")
    assert names(user, by_name) == ["Émile & Co"]
    assert names(user, by_city) == ["Émile & Co"]


def test_superusers_change_shared_filters_but_never_see_private_ones(user, other_user):
    boss = type(user).objects.create_superuser("boss", password="a-long-password-42")
    shared = make_filter(user, [], name="Shared")
    private = make_filter(user, [], name="Secret", private=True)
    update_filter(user=boss, entity_filter=shared, name="Renamed", conditions=[])
    assert EntityFilter.objects.get(pk=shared.pk).name == "Renamed"
    with pytest.raises(NotFound):
        delete_filter(user=boss, entity_filter=private)


@pytest.mark.parametrize(
    "condition",
    [
        {"type": "property", "property_type": "vip\x00"},
        {"type": "relation", "relation_type": "a\nb"},
        {"type": "filter", "filter": 2**70},
        {"type": "filter", "filter": True},
    ],
)
def test_references_that_no_database_could_hold_are_refused(user, condition):
    with pytest.raises(ValidationError, match="Condition 1"):
        make_filter(user, [condition])


def test_any_with_a_single_condition_and_none(user, towns):
    only = make_filter(user, [field("employees", "gt", "100")], match="any")
    assert names(user, only) == ["100% Bio_Lyon"]
    assert len(names(user, make_filter(user, [], match="any", name="G"))) == 5


def test_other_users_private_filters_do_not_hold_a_shared_one_back(user, other_user):
    shared = make_filter(user, [], name="Shared")
    theirs = make_filter(
        other_user, [{"type": "filter", "filter": shared.pk}], name="Bob's secret", private=True
    )
    # Made private: Bob's filter says it can no longer reach it (and never names it to alice).
    update_filter(user=user, entity_filter=shared, name="Shared", conditions=[], is_private=True)
    with pytest.raises(FilterBroken, match="now private to someone else"):
        filter_q(theirs, FilterContext.for_user(other_user))
    delete_filter(user=user, entity_filter=shared)
    with pytest.raises(FilterBroken, match="a filter it includes has been deleted"):
        filter_q(EntityFilter.objects.get(pk=theirs.pk), FilterContext.for_user(other_user))


def test_number_bounds_outside_a_columns_range_keep_empty_values_out(user, towns):
    everyone_with_a_number = make_filter(user, [field("employees", "gt", "-1")])
    assert names(user, everyone_with_a_number) == [
        "100% Bio_Lyon",
        "Paris Conseil",
        "Société Lyonnaise",
    ]
    assert names(user, make_filter(user, [field("employees", "lt", "-1")], name="G")) == []


@pytest.mark.parametrize("limit", [0, 1, 5_000])
def test_relation_conditions_mean_the_same_whether_their_ids_are_listed_or_a_subquery(
    user, make_org, our_company, monkeypatch, limit
):
    """Few matches are named in the query, many are read through a subquery: the same rows."""
    import tandem.core.filters as filters_module

    monkeypatch.setattr(filters_module, "LISTED_IDS_LIMIT", limit)
    alpha, beta = make_org("Alpha"), make_org("Beta")
    make_org("Gamma")
    for customer in (alpha, beta):
        link(
            user=user,
            subject=customer,
            relation_type=c.REL_SUB_CUSTOMER_SUPPLIER,
            object=our_company,
        )
    customer = {"type": "relation", "relation_type": c.REL_SUB_CUSTOMER_SUPPLIER, "has": True}
    of_ours = {**customer, "entity": str(our_company.uuid)}
    assert names(user, make_filter(user, [of_ours])) == ["Alpha", "Beta"]
    not_of_ours = make_filter(user, [{**of_ours, "has": False}], name="Not")
    assert {"Alpha", "Beta"}.isdisjoint(names(user, not_of_ours))
    assert "Gamma" in names(user, not_of_ours)
