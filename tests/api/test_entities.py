"""/api/v1/<type>: list, create, get, patch, delete, restore, and their error answers."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core.models import Entity, HistoryEntry
from tandem.persons.models import Contact, Organisation

from .conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_create_returns_the_full_record_with_uuid_and_version(api):
    response = api.post(
        "organisations",
        {
            "name": "Société Générale",
            "email": "contact@sg.example",
            "extra_emails": ["press@sg.example"],
            "phones": [{"kind": "work", "number": " 01 42 14 20 00 "}],
            "billing_address": {
                "street": "29 bd Haussmann",
                "postal_code": "75009",
                "city": "Paris",
            },
            "sector": "Finance and insurance",
            "employees": 117000,
            "capital": "1066714367.50",
            "creation_date": "1864-05-04",
        },
    )
    assert response.status_code == 201, response.content
    record = response.json()
    assert uuid.UUID(record["uuid"]) and record["version"] == 1
    assert record["type"] == "organisations" and record["label"] == "Société Générale"
    assert record["owner"] == "alice" and record["is_deleted"] is False
    assert record["phones"] == [{"kind": "work", "number": "01 42 14 20 00", "primary": True}]
    assert record["billing_address"]["postal_code"] == "75009"
    assert record["shipping_address"] is None
    assert record["sector"] == "Finance and insurance"
    assert record["capital"] == "1066714367.50" and record["creation_date"] == "1864-05-04"
    saved = Organisation.objects.get(uuid=record["uuid"])
    assert saved.billing_address.city == "Paris" and saved.employees == 117000
    assert HistoryEntry.objects.filter(entity=saved, kind="created").exists()


def test_choice_lists_are_read_and_written_as_their_label_in_the_callers_language(api_fr):
    response = api_fr.post(
        "organisations", {"name": "Crédit Mutuel", "sector": "finance et assurance"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["sector"] == "Finance et assurance"
    assert (
        str(Organisation.objects.get(name="Crédit Mutuel").sector.name) == "Finance and insurance"
    )


def test_an_unknown_choice_names_the_field_and_the_values_it_accepts(api):
    body = assert_problem(
        api.post("organisations", {"name": "X", "sector": "Banking"}), 400, "sector"
    )
    assert "Banking" in body["errors"]["sector"][0] and "Retail" in body["errors"]["sector"][0]
    assert not Organisation.objects.filter(name="X").exists()


def test_fields_a_client_may_not_set_are_refused_and_nothing_is_written(api):
    before = Entity.objects.count()
    body = assert_problem(
        api.post(
            "organisations",
            {
                "name": "Sneaky",
                "uuid": str(uuid.uuid4()),
                "created": "2000-01-01T00:00:00Z",
                "is_deleted": True,
                "is_managed": True,
                "version": 7,
            },
        ),
        400,
        "uuid",
        "created",
        "is_deleted",
        "is_managed",
        "version",
    )
    assert "cannot be set" in body["errors"]["uuid"][0]
    assert Entity.objects.count() == before


def test_invalid_values_are_reported_per_field_translated(api_fr):
    body = assert_problem(
        api_fr.post(
            "contacts",
            {
                "first_name": "A" * 101,
                "email": "not-an-email",
                "birth_day": "tomorrow",
                "phones": [{"kind": "satellite", "number": "1"}],
            },
        ),
        400,
        "first_name",
        "birth_day",
        "phones.0.kind",
    )
    assert body["errors"]["first_name"] == ["Au plus 100 caractères."]
    assert body["errors"]["birth_day"] == ["Donnez un nombre entier."]
    assert body["title"] == "Requête invalide"


def test_model_rules_come_back_as_field_errors(api):
    # Passes the schema, broken by the model's own rules (full_clean).
    body = assert_problem(api.post("contacts", {"email": "nobody@example.com"}), 400, "last_name")
    assert "first name" in body["errors"]["last_name"][0]
    body = assert_problem(api.post("organisations", {"name": "Y", "siren": "123"}), 400, "siren")
    assert body["errors"]["siren"]


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "nul\x00byte"},
        {"name": "lone \ud800 surrogate"},
        {"name": "Big", "employees": 10**30},
        {"name": "Nan", "capital": "NaN"},
        {"name": "Huge", "capital": "1e400"},
        {"name": "Old", "creation_date": "0000-01-01"},
        {"name": 12},
        {"name": "List", "extra_emails": "one@example.com"},
    ],
)
def test_values_a_database_cannot_store_get_400_not_500(api, payload):
    before = Organisation.objects.count()
    assert_problem(api.post("organisations", payload), 400, *(set(payload) - {"name"} or {"name"}))
    assert Organisation.objects.count() == before


def test_malformed_json_and_missing_body_get_400(api):
    response = api.client.post(
        "/api/v1/organisations", "{not json", content_type="application/json", **api.headers
    )
    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]
    assert_problem(api.post("organisations"), 400)


def test_get_and_unknown_uuids(api, make_org):
    acme = make_org("Acme")
    response = api.get(f"organisations/{acme.uuid}")
    assert response.status_code == 200 and response.json()["name"] == "Acme"
    body = assert_problem(api.get(f"organisations/{uuid.uuid4()}"), 404)
    assert "uuid" in body["detail"]
    assert_problem(api.get("organisations/not-a-uuid"), 400)
    # A contact's uuid is not an organisation.
    assert_problem(api.get(f"contacts/{acme.uuid}"), 404)


def test_patch_changes_only_the_fields_sent_and_bumps_the_version(api, make_org):
    acme = make_org("Acme", email="old@acme.example", website="acme.example")
    response = api.patch(
        f"organisations/{acme.uuid}",
        {"version": 1, "email": "new@acme.example", "billing_address": {"city": "Lyon"}},
    )
    assert response.status_code == 200, response.content
    record = response.json()
    assert record["version"] == 2 and record["email"] == "new@acme.example"
    assert record["website"] == "acme.example" and record["billing_address"]["city"] == "Lyon"
    edit = HistoryEntry.objects.get(entity=acme, kind="edited")
    assert {change["field"] for change in edit.data["changes"]} == {
        "email",
        "billing_address.city",
    }


def test_a_stale_version_gets_409_with_the_current_record(api, make_org):
    acme = make_org("Acme")
    assert (
        api.patch(f"organisations/{acme.uuid}", {"version": 1, "name": "Acme 2"}).status_code == 200
    )
    body = assert_problem(
        api.patch(f"organisations/{acme.uuid}", {"version": 1, "name": "Acme 3"}), 409
    )
    assert body["current"]["name"] == "Acme 2" and body["current"]["version"] == 2
    assert body["changes"] == [{"field": "name", "yours": "Acme 3", "theirs": "Acme 2"}]
    assert Organisation.objects.get(pk=acme.pk).name == "Acme 2"


def test_patch_needs_a_version_and_refuses_read_only_fields(api, make_org):
    acme = make_org("Acme")
    assert_problem(api.patch(f"organisations/{acme.uuid}", {"name": "B"}), 400, "version")
    assert_problem(
        api.patch(f"organisations/{acme.uuid}", {"version": 1, "modified": "2020-01-01T00:00:00Z"}),
        400,
        "modified",
    )


def test_owner_is_set_by_username_and_must_be_an_active_user(api, make_org, other_user):
    acme = make_org("Acme")
    response = api.patch(f"organisations/{acme.uuid}", {"version": 1, "owner": "bob"})
    assert response.status_code == 200 and response.json()["owner"] == "bob"
    assert_problem(
        api.patch(f"organisations/{acme.uuid}", {"version": 2, "owner": "nobody"}), 400, "owner"
    )


def test_delete_trashes_then_restore_brings_back(api, make_org):
    acme = make_org("Acme")
    assert api.delete(f"organisations/{acme.uuid}").status_code == 204
    assert Organisation.objects.get(pk=acme.pk).is_deleted
    assert api.get("organisations").json()["items"][-1]["name"] != "Acme"
    names = [
        row["name"] for row in api.get("organisations", include_trashed="true").json()["items"]
    ]
    assert "Acme" in names
    response = api.post(f"organisations/{acme.uuid}/restore")
    assert response.status_code == 200 and response.json()["is_deleted"] is False
    assert_problem(api.post(f"organisations/{acme.uuid}/restore"), 400)


def test_permanent_delete_whether_trashed_or_not(api, make_org, make_contact, relation_type):
    acme, globex = make_org("Acme"), make_org("Globex")
    assert api.delete(f"organisations/{acme.uuid}", permanent="true").status_code == 204
    assert not Entity.objects.filter(pk=acme.pk).exists()
    api.delete(f"organisations/{globex.uuid}")
    assert api.delete(f"organisations/{globex.uuid}", permanent="true").status_code == 204
    assert not Entity.objects.filter(pk=globex.pk).exists()
    assert_problem(api.delete(f"organisations/{globex.uuid}"), 404)


def test_the_last_managed_organisation_cannot_be_trashed(api, our_company):
    body = assert_problem(api.delete(f"organisations/{our_company.uuid}"), 400)
    assert our_company.name in body["detail"]


# -- lists -----------------------------------------------------------------------------------


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["label"] for row in response.json()["items"]]


def test_q_is_case_and_accent_blind(api, make_org):
    make_org("Société Générale")
    make_org("Generali")
    assert _names(api.get("organisations", q="societe GENERALE")) == ["Société Générale"]


def test_exact_filters_on_fields_choices_and_address_parts(api, make_org):
    make_org("Lyon One", billing_address={"city": "Lyon"}, employees=10, sector=None)
    make_org("Paris One", billing_address={"city": "Paris"}, employees=10)
    make_org("Lyon Two", billing_address={"city": "Lyon"}, employees=99)
    assert _names(api.get("organisations", billing_address__city="Lyon", order="name")) == [
        "Lyon One",
        "Lyon Two",
    ]
    assert _names(api.get("organisations", employees="10", billing_address__city="Lyon")) == [
        "Lyon One"
    ]
    assert_problem(api.get("organisations", employees="ten"), 400, "employees")
    assert_problem(api.get("organisations", sector="Nope"), 400, "sector")


def test_order_on_several_keys_and_foreign_key_paths(api, make_org):
    make_org("B", billing_address={"city": "Lyon"})
    make_org("A", billing_address={"city": "Paris"})
    make_org("C", billing_address={"city": "Lyon"})
    names = _names(api.get("organisations", order="-billing_address__city,name"))
    # Organisations without an address (our own company) come last whatever the direction.
    assert names == ["A", "B", "C", "ReplaceByYourCompany"]
    assert_problem(api.get("organisations", order="colour"), 400, "order")


def test_label_order_ignores_case_and_accents(api, make_org):
    for name in ("Zèbre", "écolo", "Alpha", "Énergie"):
        make_org(name)
    assert _names(api.get("organisations", order="label"))[:4] == [
        "Alpha",
        "écolo",
        "Énergie",
        "ReplaceByYourCompany",
    ]
    assert _names(api.get("organisations", order="-label"))[0] == "Zèbre"


def test_cursor_pages_cover_every_row_once_in_any_order(api, make_org):
    for index in range(23):
        make_org(f"Org {index:02d}", employees=index % 4 if index % 5 else None)
    for order in ("name", "-employees,name", "employees,-modified", "-created"):
        seen, cursor = [], None
        while True:
            params = {"limit": 5, "order": order}
            if cursor:
                params["cursor"] = cursor
            page = api.get("organisations", **params).json()
            seen += [row["label"] for row in page["items"]]
            cursor = page["next"]
            if not cursor:
                break
        assert sorted(seen) == sorted({*seen}) and len(seen) == 24, order


def test_a_cursor_from_another_order_or_tampered_is_refused(api, make_org):
    for index in range(3):
        make_org(f"Org {index}")
    cursor = api.get("organisations", limit=1, order="name").json()["next"]
    assert_problem(api.get("organisations", cursor=cursor, order="-name"), 400, "cursor")
    assert_problem(api.get("organisations", cursor="garbage!"), 400, "cursor")
    assert_problem(api.get("organisations", limit=501), 400, "limit")
    assert_problem(api.get("organisations", limit=0), 400, "limit")


def test_huge_search_text_is_refused_cleanly(api):
    assert_problem(api.get("organisations", q="x" * 201), 400, "q")


def test_a_list_page_costs_the_same_queries_whatever_it_holds(api, make_org, make_contact):
    def queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("contacts", limit=limit).status_code == 200
        return len(captured)

    for index in range(3):
        make_contact(f"Ann {index}", "Smith", billing_address={"city": "Nice"}, civility=None)
    api.get("contacts")  # the token's first use notes its date: not part of a page's cost
    few = queries(3)
    for index in range(20):
        make_contact(f"Bob {index}", "Jones", billing_address={"city": "Nice"})
    assert queries(23) == few
    assert Contact.objects.count() == 23


def test_an_unknown_parameter_is_refused_not_ignored(api, make_org):
    make_org("Acme")
    body = assert_problem(api.get("organisations", nope="1"), 400, "nope")
    assert "Known ones" in body["errors"]["nope"][0]
    assert_problem(api.get("organisations", last_name__startswith="M"), 400)
    assert_problem(api.get("relations", foo="bar"), 400, "foo")


def test_an_empty_address_part_finds_records_without_an_address(api, make_org):
    make_org("No address")
    make_org("Empty city", billing_address={"street": "1 rue"})
    make_org("Lyon", billing_address={"city": "Lyon"})
    names = _names(api.get("organisations", billing_address__city="", order="label"))
    assert names == ["Empty city", "No address", "ReplaceByYourCompany"]


def test_text_is_stripped_so_a_blank_name_is_refused(api):
    assert_problem(api.post("organisations", {"name": "   "}), 400, "name")
    assert api.post("organisations", {"name": "  Acme  "}).json()["name"] == "Acme"


def test_booleans_and_integers_are_not_guessed_from_strings(api, make_org):
    acme = make_org("Acme")
    assert_problem(
        api.patch(f"organisations/{acme.uuid}", {"version": "1", "name": "B"}), 400, "version"
    )
    assert_problem(
        api.patch(f"organisations/{acme.uuid}", {"version": True, "name": "B"}), 400, "version"
    )
    assert_problem(api.post("organisations", {"name": "C", "employees": "12"}), 400, "employees")
    assert_problem(
        api.patch("relation-types/persons-subject_partner", {"enabled": "no"}), 400, "enabled"
    )


def test_choice_labels_are_understood_in_either_language(api):
    response = api.post("organisations", {"name": "Épicerie", "sector": "Commerce de détail"})
    assert response.status_code == 201, response.content
    assert response.json()["sector"] == "Retail"
    assert _names(api.get("organisations", sector="commerce de detail")) == ["Épicerie"]


def test_a_wrong_method_and_the_api_root_answer_as_the_api_does(api, anonymous):
    body = assert_problem(api.client.put("/api/v1/organisations", **api.headers), 405)
    assert "GET" in body["detail"] and "POST" in body["detail"]
    root = anonymous.client.get("/api/v1/")
    assert root.status_code == 200 and root.json()["openapi"] == "/api/v1/openapi.json"
    assert_problem(anonymous.client.get("/api/v1/nothing-here"), 404)


def test_number_and_empty_text_errors_say_what_is_wrong(api):
    body = assert_problem(
        api.post(
            "organisations",
            {"name": "X", "capital": "12345678901234567890", "phones": [{"number": ""}]},
        ),
        400,
        "capital",
        "phones.0.number",
    )
    assert body["errors"]["capital"] == ["At most 18 digits."]
    assert body["errors"]["phones.0.number"] == ["This field cannot be empty."]
    body = assert_problem(api.post("organisations", {"name": "X", "capital": "1.234"}), 400)
    assert body["errors"]["capital"] == ["At most 2 digits after the decimal point."]
    assert (
        "Cannot sort on -."
        in assert_problem(api.get("organisations", order="-"), 400)["errors"]["order"][0]
    )
