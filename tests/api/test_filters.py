"""/api/v1/filters, and ``?filter=<id>`` on entity lists and exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tandem.core.filters import CONDITION_TYPES
from tandem.core.models import EntityFilter
from tandem.core.services import delete_entity, link, trash_entity
from tandem.core.services.filters import create_filter
from tandem.core.services.tokens import create_token
from tandem.persons import constants as c
from tandem.persons.models import Contact, Organisation

from .conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db

FILTER_KEYS = {
    "id",
    "name",
    "entity_type",
    "match",
    "private",
    "builtin",
    "owner",
    "can_change",
    "conditions",
    "created",
    "modified",
}


def field(path, operator, *values, negate=False):
    return {
        "type": "field",
        "field": path,
        "operator": operator,
        "values": list(values),
        "negate": negate,
    }


def customer_of(entity):
    return {
        "type": "relation",
        "relation_type": c.REL_SUB_CUSTOMER_SUPPLIER,
        "entity": str(entity.uuid),
    }


def post_filter(api, entity_type="organisations", conditions=None, **extra):
    body = {"name": "F", "entity_type": entity_type, "conditions": conditions or [], **extra}
    return api.post("filters", body)


def make(api, entity_type="organisations", conditions=None, **extra) -> dict:
    response = post_filter(api, entity_type, conditions, **extra)
    assert response.status_code == 201, response.content
    return response.json()


def labels(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["label"] for item in response.json()["items"]]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def bob_api(other_user) -> ApiClient:
    return ApiClient(create_token(user=other_user, name="tests")[1])


@pytest.fixture
def customers(make_org, make_contact):
    """Acme has two organisations and a contact as customers; Beta has one."""
    acme, beta = make_org("Acme"), make_org("Beta")
    orgs = {name: make_org(name) for name in ("Bolt", "Crane", "Delta", "Echo")}
    user = acme.created_by
    for name in ("Bolt", "Crane"):
        link(user=user, subject=orgs[name], relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=acme)
    link(user=user, subject=orgs["Delta"], relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=beta)
    jo = make_contact("Jo", "Buyer")
    make_contact("Al", "Bystander")
    link(user=user, subject=jo, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=acme)
    return {"acme": acme, "beta": beta, "jo": jo, **orgs}


# -- CRUD ----------------------------------------------------------------------------------


def test_create_get_change_and_delete(api, user):
    response = post_filter(
        api,
        "contacts",
        [
            field("last_name", "icontains", "  smi  ", ""),
            {"type": "date", "field": "created", "range": "past"},
        ],
        name="  Smiths  ",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created) == FILTER_KEYS
    assert created["name"] == "Smiths"  # trimmed, as in the web form
    assert (created["entity_type"], created["match"], created["private"]) == (
        "contacts",
        "all",
        False,
    )
    assert (created["builtin"], created["owner"], created["can_change"]) == (False, "alice", True)
    # The core's normalised form: values trimmed, empty ones dropped, defaults filled in.
    assert created["conditions"][0] == field("last_name", "icontains", "smi")
    assert created["conditions"][1]["range"] == "past"
    saved = EntityFilter.objects.get(pk=created["id"])
    assert saved.owner == user and saved.conditions[0]["values"] == ["smi"]

    assert api.get(f"filters/{created['id']}").json() == created

    # PATCH changes the keys sent only.
    response = api.patch(f"filters/{created['id']}", {"name": "Smith family"})
    assert response.status_code == 200, response.content
    renamed = response.json()
    assert renamed["name"] == "Smith family" and renamed["conditions"] == created["conditions"]
    response = api.patch(
        f"filters/{created['id']}",
        {"match": "any", "private": True, "conditions": [field("first_name", "iequals", "Ann")]},
    )
    assert response.status_code == 200, response.content
    changed = response.json()
    assert (changed["name"], changed["match"], changed["private"]) == ("Smith family", "any", True)
    assert changed["conditions"] == [field("first_name", "iequals", "Ann")]
    assert changed["modified"] >= created["modified"]

    response = api.delete(f"filters/{created['id']}")
    assert response.status_code == 204
    assert not EntityFilter.objects.filter(pk=created["id"]).exists()
    assert_problem(api.get(f"filters/{created['id']}"), 404)
    assert_problem(api.delete(f"filters/{created['id']}"), 404)


def test_every_condition_type_round_trips(api, make_org):
    acme = make_org("Acme")
    managed = EntityFilter.objects.get(name="Managed by us")
    conditions = [
        field("employees", "between", "10", "50"),
        {
            "type": "date",
            "field": "creation_date",
            "range": "between",
            "start": "2020-01-01",
            "end": None,
        },
        {"type": "property", "property_type": c.PROP_IS_VIP, "has": False},
        {
            "type": "relation",
            "relation_type": c.REL_SUB_CUSTOMER_SUPPLIER,
            "entity": str(acme.uuid),
        },
        {
            "type": "relation",
            "relation_type": c.REL_SUB_CUSTOMER_SUPPLIER,
            "entity_type": "contacts",
        },
        {"type": "relation_filter", "relation_type": c.REL_SUB_PARTNER, "filter": managed.pk},
        {"type": "filter", "filter": managed.pk},
    ]
    created = make(api, conditions=conditions, match="any")
    assert [condition["type"] for condition in created["conditions"]] == [
        "field",
        "date",
        "property",
        "relation",
        "relation",
        "relation_filter",
        "filter",
    ]
    assert (
        created["conditions"][1]["start"] == "2020-01-01"
        and created["conditions"][1]["end"] is None
    )
    assert created["conditions"][2]["has"] is False
    assert created["conditions"][3]["entity"] == str(acme.uuid)
    assert created["conditions"][4]["entity_type"] == "contacts"
    assert created["conditions"][6]["filter"] == managed.pk
    # "any": Acme is not a VIP.
    assert "Acme" in labels(api.get("organisations", filter=created["id"]))


def test_the_list_shows_shared_and_own_filters_paged_by_cursor(api, bob_api):
    mine = make(api, "contacts", private=True, name="Mine")
    shared = make(bob_api, "contacts", name="Bob's shared")
    hidden = make(bob_api, "contacts", private=True, name="Bob's own")
    seen, cursor = [], None
    while True:
        page = api.get("filters", limit=3, **({"cursor": cursor} if cursor else {})).json()
        assert len(page["items"]) <= 3
        seen += page["items"]
        cursor = page["next"]
        if not cursor:
            break
    ids = [item["id"] for item in seen]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert mine["id"] in ids and shared["id"] in ids and hidden["id"] not in ids
    by_id = {item["id"]: item for item in seen}
    assert by_id[shared["id"]]["can_change"] is False and by_id[shared["id"]]["owner"] == "bob"
    builtin = next(item for item in seen if item["name"] == "Managed by us")
    assert (
        builtin["builtin"] is True and builtin["can_change"] is False and builtin["owner"] is None
    )

    contacts_only = api.get("filters", entity_type="contacts").json()["items"]
    assert {item["entity_type"] for item in contacts_only} == {"contacts"}
    assert "Managed by us" not in {item["name"] for item in contacts_only}
    assert_problem(api.get("filters", entity_type="cats"), 400, "entity_type")
    assert_problem(api.get("filters", entity="contacts"), 400, "entity")
    assert_problem(api.get("filters", cursor="nonsense"), 400, "cursor")


def test_builtin_names_are_in_the_callers_language(api_fr):
    with translation.override("fr"):
        expected = translation.gettext("My customers")
    names = {item["name"] for item in api_fr.get("filters", entity_type="contacts").json()["items"]}
    assert expected in names


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ([field("name", "iequals", "x"), {"type": "colour"}], "Condition 2: unknown type “colour”"),
        (
            [field("nope", "iequals", "x")],
            "Condition 1: “nope” is not a field this condition can test.",
        ),
        (
            [field("employees", "icontains", "x")],
            "Condition 1: “icontains” cannot test “number of employees”",
        ),
        ([field("employees", "gt", "many")], "Condition 1: “many” is not a number."),
        ([field("name", "iequals")], "Condition 1: give the value to compare “name” with."),
        (
            [{"type": "date", "field": "name", "range": "today"}],
            "is not a field this condition can test",
        ),
        (
            [{"type": "date", "field": "creation_date", "range": "someday"}],
            "unknown date range “someday”",
        ),
        (
            [{"type": "property", "property_type": "nope"}],
            "Condition 1: there is no such property type.",
        ),
        (
            [{"type": "relation", "relation_type": "nope"}],
            "Condition 1: there is no such relation type.",
        ),
        (
            [
                {
                    "type": "relation",
                    "relation_type": c.REL_SUB_CUSTOMER_SUPPLIER,
                    "entity": "not-a-uuid",
                }
            ],
            "there is no such entity.",
        ),
        ([{"type": "filter", "filter": 10**9}], "Condition 1: there is no such filter."),
        ([{"type": "filter", "filter": "first"}], "Condition 1: choose the filter it uses."),
        (
            [{"type": "property", "property_type": c.PROP_IS_VIP, "has": "yes"}],
            "“has” must be true or false.",
        ),
        (["name"], "Condition 1: each condition must be an object."),
        ({"type": "field"}, "The conditions must be a list."),
        # What no database could compare is refused before it reaches one.
        (
            [{"type": "property", "property_type": "a\x00b"}],
            "Condition 1: NUL characters cannot be stored.",
        ),
        ([{"type": "filter", "filter": 2**70}], "Condition 1: At most"),
    ],
)
def test_a_bad_condition_is_refused_naming_it(api, conditions, message):
    before = EntityFilter.objects.count()
    body = assert_problem(post_filter(api, conditions=conditions), 400, "conditions")
    assert any(message in text for text in body["errors"]["conditions"]), body
    assert EntityFilter.objects.count() == before


def test_other_bad_values_are_keyed_by_field(api):
    assert_problem(api.post("filters", {"entity_type": "contacts"}), 400, "name")
    body = assert_problem(post_filter(api, name="   "), 400, "name")
    assert body["errors"]["name"] == ["Give the filter a name."]
    assert_problem(post_filter(api, name="x" * 101), 400, "name")
    body = assert_problem(post_filter(api, "cats"), 400, "entity_type")
    assert (
        "cats" in body["errors"]["entity_type"][0]
        and "contacts" in body["errors"]["entity_type"][0]
    )
    assert_problem(api.post("filters", {"name": "F"}), 400, "entity_type")
    body = assert_problem(post_filter(api, match="some"), 400, "match")
    assert body["errors"]["match"] == ["Choose “all” or “any”."]
    assert_problem(post_filter(api, private="yes"), 400, "private")
    assert_problem(post_filter(api, colour="blue"), 400, "colour")


def test_a_shared_filter_cannot_use_a_private_one(api):
    private = make(api, private=True, name="Secret")
    body = assert_problem(
        post_filter(api, conditions=[{"type": "filter", "filter": private["id"]}]), 400
    )
    assert "“Secret” is private" in body["errors"]["conditions"][0]
    assert make(api, conditions=[{"type": "filter", "filter": private["id"]}], private=True)


def test_an_included_filter_must_be_of_the_same_type(api):
    contacts = make(api, "contacts", name="People")
    body = assert_problem(
        post_filter(api, conditions=[{"type": "filter", "filter": contacts["id"]}]), 400
    )
    assert "“People” is for another entity type." in body["errors"]["conditions"][0]


def test_a_loop_of_filters_is_refused(api):
    first = make(api, name="First")
    second = make(api, conditions=[{"type": "filter", "filter": first["id"]}], name="Second")
    body = assert_problem(
        api.patch(
            f"filters/{first['id']}", {"conditions": [{"type": "filter", "filter": second["id"]}]}
        ),
        400,
        "conditions",
    )
    assert "loop of filters: First → Second → First" in body["errors"]["conditions"][0]
    body = assert_problem(
        api.patch(
            f"filters/{first['id']}", {"conditions": [{"type": "filter", "filter": first["id"]}]}
        ),
        400,
        "conditions",
    )
    assert "a filter cannot use itself" in body["errors"]["conditions"][0]
    assert EntityFilter.objects.get(pk=first["id"]).conditions == []


def test_another_users_private_filter_does_not_exist_for_you(api, bob_api, make_contact):
    secret = make(bob_api, "contacts", private=True, name="Bob's secret")
    assert secret["id"] not in {
        item["id"] for item in api.get("filters", limit=500).json()["items"]
    }
    for response in (
        api.get(f"filters/{secret['id']}"),
        api.patch(f"filters/{secret['id']}", {"name": "Mine now"}),
        api.delete(f"filters/{secret['id']}"),
    ):
        body = assert_problem(response, 404)
        assert "Bob" not in body["detail"]
    body = assert_problem(api.get("contacts", filter=secret["id"]), 400, "filter")
    assert "Bob" not in str(body)
    body = assert_problem(
        post_filter(api, "contacts", [{"type": "filter", "filter": secret["id"]}]), 400
    )
    assert "there is no such filter" in body["errors"]["conditions"][0]
    assert EntityFilter.objects.get(pk=secret["id"]).name == "Bob's secret"


def test_only_the_owner_changes_a_shared_filter(api, bob_api):
    shared = make(bob_api, "contacts", name="Bob's shared")
    seen = api.get(f"filters/{shared['id']}").json()
    assert seen["can_change"] is False and seen["owner"] == "bob"
    body = assert_problem(api.patch(f"filters/{shared['id']}", {"name": "Taken"}), 403)
    assert "belongs to bob" in body["detail"]
    assert_problem(api.delete(f"filters/{shared['id']}"), 403)
    assert EntityFilter.objects.get(pk=shared["id"]).name == "Bob's shared"


def test_a_filter_in_use_cannot_be_deleted(api):
    used = make(api, name="Base")
    make(api, conditions=[{"type": "filter", "filter": used["id"]}], name="Narrower")
    body = assert_problem(api.delete(f"filters/{used['id']}"), 409)
    assert "“Base” is used by the filter(s) “Narrower”" in body["detail"]
    assert EntityFilter.objects.filter(pk=used["id"]).exists()


def test_a_filter_others_use_must_stay_shared(api):
    used = make(api, name="Base")
    make(api, conditions=[{"type": "filter", "filter": used["id"]}], name="Narrower")
    body = assert_problem(api.patch(f"filters/{used['id']}", {"private": True}), 400, "is_private")
    assert "must stay shared" in body["errors"]["is_private"][0]


def test_built_in_filters_cannot_be_changed_or_deleted(api):
    """Built-in items answer 403, as built-in relation types do (``status_for``)."""
    builtin = EntityFilter.objects.get(name="Managed by us")
    body = assert_problem(api.patch(f"filters/{builtin.pk}", {"name": "Ours"}), 403)
    assert "built-in" in body["detail"]
    assert_problem(api.delete(f"filters/{builtin.pk}"), 403)
    builtin.refresh_from_db()
    assert builtin.name == "Managed by us"


def test_patch_cannot_change_the_entity_type(api):
    created = make(api, "contacts")
    body = assert_problem(
        api.patch(f"filters/{created['id']}", {"entity_type": "organisations", "name": "G"}),
        400,
        "entity_type",
    )
    assert "cannot be changed" in body["errors"]["entity_type"][0]
    assert EntityFilter.objects.get(pk=created["id"]).name == "F"
    # Sending the filter's own type back is harmless.
    response = api.patch(f"filters/{created['id']}", {"entity_type": "contacts", "name": "G"})
    assert response.status_code == 200 and response.json()["name"] == "G"


def test_patch_refuses_nulls_and_unknown_keys(api):
    created = make(api)
    assert_problem(api.patch(f"filters/{created['id']}", {"private": None}), 400, "private")
    body = assert_problem(api.patch(f"filters/{created['id']}", {"name": None}), 400, "name")
    assert body["errors"]["name"] == ["Give the filter a name."]
    assert_problem(api.patch(f"filters/{created['id']}", {"builtin": True}), 400, "builtin")
    assert_problem(api.patch(f"filters/{created['id']}", {"conditions": None}), 400, "conditions")
    assert_problem(api.patch("filters/999999999", {"name": "G"}), 404)
    # Nothing sent: nothing changes.
    assert api.patch(f"filters/{created['id']}", {}).json() == created


# -- ?filter= on lists and exports ---------------------------------------------------------


def test_filter_narrows_the_organisations_and_contacts_lists(api, customers):
    orgs = make(api, conditions=[customer_of(customers["acme"])], name="Customers of Acme")
    people = make(api, "contacts", conditions=[customer_of(customers["acme"])], name="Buyers")
    assert labels(api.get("organisations", filter=orgs["id"])) == ["Bolt", "Crane"]
    assert labels(api.get("contacts", filter=people["id"])) == ["Jo Buyer"]
    # The other condition kinds compose: "customers of anyone, but not of Acme".
    others = make(
        api,
        conditions=[
            {"type": "relation", "relation_type": c.REL_SUB_CUSTOMER_SUPPLIER},
            {"type": "filter", "filter": orgs["id"]},
        ],
        name="All customers",
    )
    assert labels(api.get("organisations", filter=others["id"])) == ["Bolt", "Crane"]
    not_acme = make(
        api,
        conditions=[
            {"type": "relation", "relation_type": c.REL_SUB_CUSTOMER_SUPPLIER},
            {**customer_of(customers["acme"]), "has": False},
        ],
        name="Customers elsewhere",
    )
    assert labels(api.get("organisations", filter=not_acme["id"])) == ["Delta"]


def test_built_in_my_customers(api, make_contact, make_org, our_company):
    buyer = make_contact("Ann", "Buyer")
    make_contact("Bea", "Stranger")
    link(user=None, subject=buyer, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=our_company)
    mine = EntityFilter.objects.get(name="My customers", entity_type=Contact.get_entity_type())
    assert labels(api.get("contacts", filter=mine.pk)) == ["Ann Buyer"]


def test_filter_combines_with_q_fields_order_and_cursor(api, customers):
    orgs = make(api, conditions=[customer_of(customers["acme"])])
    assert labels(api.get("organisations", filter=orgs["id"], q="cra")) == ["Crane"]
    assert labels(api.get("organisations", filter=orgs["id"], q="delta")) == []
    assert labels(api.get("organisations", filter=orgs["id"], name="Bolt")) == ["Bolt"]
    assert labels(api.get("organisations", filter=orgs["id"], order="-name")) == ["Crane", "Bolt"]
    first = api.get("organisations", filter=orgs["id"], limit=1).json()
    assert [item["label"] for item in first["items"]] == ["Bolt"] and first["next"]
    second = api.get("organisations", filter=orgs["id"], limit=1, cursor=first["next"]).json()
    assert [item["label"] for item in second["items"]] == ["Crane"] and second["next"] is None
    # A trashed customer leaves the list unless asked for.
    trash_entity(user=None, entity=customers["Bolt"])
    assert labels(api.get("organisations", filter=orgs["id"])) == ["Crane"]
    assert labels(api.get("organisations", filter=orgs["id"], include_trashed="true")) == [
        "Bolt",
        "Crane",
    ]


def test_export_applies_the_filter(api, customers):
    orgs = make(api, conditions=[customer_of(customers["acme"])])
    header, *rows = csv_rows(api.get("organisations/export", filter=orgs["id"]))
    assert header[0] == "Name"
    assert [row[0] for row in rows] == ["Bolt", "Crane"]
    _header, *rows = csv_rows(api.get("organisations/export", filter=orgs["id"], q="crane"))
    assert [row[0] for row in rows] == ["Crane"]
    people = make(api, "contacts", conditions=[customer_of(customers["acme"])])
    _header, *rows = csv_rows(api.get("contacts/export", filter=people["id"], columns="list"))
    assert [row[0] for row in rows] == ["Jo Buyer"]
    assert_problem(api.get("contacts/export", filter=orgs["id"]), 400, "filter")
    assert_problem(api.get("contacts/export", filter=10**9), 400, "filter")


def test_an_unknown_or_wrong_type_filter_is_refused(api, make_org):
    make_org("Acme")
    body = assert_problem(api.get("organisations", filter=10**9), 400, "filter")
    assert str(10**9) in body["errors"]["filter"][0]
    people = make(api, "contacts", name="People")
    body = assert_problem(api.get("organisations", filter=people["id"]), 400, "filter")
    assert body["errors"]["filter"] == ["“People” is a filter of contacts, not of organisations."]
    assert_problem(api.get("organisations", filter="people"), 400, "filter")
    assert_problem(api.get("organisations", filter=0), 400, "filter")


def test_a_broken_filter_says_what_is_gone(api, customers):
    orgs = make(api, conditions=[customer_of(customers["beta"])], name="Beta's customers")
    assert labels(api.get("organisations", filter=orgs["id"])) == ["Delta"]
    trash_entity(user=None, entity=customers["beta"])
    delete_entity(user=None, entity=customers["beta"])
    for response in (
        api.get("organisations", filter=orgs["id"]),
        api.get("organisations/export", filter=orgs["id"]),
    ):
        body = assert_problem(response, 400, "filter")
        assert (
            "“Beta's customers” cannot run: an entity it names has been deleted." in body["detail"]
        )
        assert body["errors"]["filter"] == [body["detail"]]
    # It can still be read, and repaired.
    assert api.get(f"filters/{orgs['id']}").status_code == 200
    response = api.patch(f"filters/{orgs['id']}", {"conditions": [customer_of(customers["acme"])]})
    assert response.status_code == 200, response.content
    assert labels(api.get("organisations", filter=orgs["id"])) == ["Bolt", "Crane"]


def test_a_list_with_a_filter_costs_the_same_queries_whatever_it_holds(api, user, make_org):
    acme = make_org("Acme")
    uses = create_filter(
        user=user,
        name="Partners",
        entity_type=Organisation.get_entity_type(),
        conditions=[{"type": "relation", "relation_type": c.REL_SUB_PARTNER}],
    )
    filtered = make(
        api,
        conditions=[
            customer_of(acme),
            field("name", "istartswith", "org"),
            {
                "type": "relation_filter",
                "relation_type": c.REL_SUB_PARTNER,
                "filter": uses.pk,
                "has": False,
            },
        ],
    )

    def add(count: int) -> None:
        for _index in range(count):
            org = make_org(f"Org {Organisation.objects.count()}", billing_address={"city": "Nice"})
            link(user=user, subject=org, relation_type=c.REL_SUB_CUSTOMER_SUPPLIER, object=acme)

    def queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api.get("organisations", filter=filtered["id"], limit=limit)
            assert len(labels(response)) == limit
        return len(captured)

    add(5)
    few = queries(5)
    add(45)
    assert queries(50) == few


def test_the_filter_list_costs_the_same_queries_whatever_it_holds(api, user, other_user):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("filters", limit=500).status_code == 200
        return len(captured)

    api.get("filters")
    few = queries()
    for index in range(20):
        create_filter(
            user=other_user if index % 2 else user,
            name=f"F{index}",
            entity_type=Contact.get_entity_type(),
            conditions=[],
        )
    assert queries() == few


# -- the OpenAPI document ------------------------------------------------------------------


def test_the_openapi_document_describes_every_condition_type(api):
    document = api.get("openapi.json").json()
    schemas = document["components"]["schemas"]
    conditions = schemas["FilterOut"]["properties"]["conditions"]["items"]
    assert conditions["discriminator"]["propertyName"] == "type"
    mapping = conditions["discriminator"]["mapping"]
    assert set(mapping) == set(CONDITION_TYPES)
    for reference in mapping.values():
        schema = schemas[reference.rsplit("/", 1)[1]]
        assert schema["description"] and "type" in schema["required"]
    assert "icontains" in schemas["FieldCondition"]["properties"]["operator"]["enum"]
    assert "current_quarter" in schemas["DateCondition"]["properties"]["range"]["enum"]
    # Sent conditions are documented the same way (and checked by the core).
    sent = schemas["FilterIn"]["properties"]["conditions"]["items"]
    assert sent["discriminator"]["mapping"] == mapping
    assert schemas["FilterIn"]["properties"]["entity_type"]["enum"] == ["contacts", "organisations"]
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/filters"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/filters/{filter_id}"])
    for path in ("/api/v1/contacts", "/api/v1/organisations/export"):
        parameters = {p["name"]: p for p in paths[path]["get"]["parameters"]}
        assert "saved filter" in parameters["filter"]["description"]
