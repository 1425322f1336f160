"""/api/v1/<type>/export: the list's parameters, three formats, streamed, as documented."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tandem.io.vcard import read_vcards

from .conftest import assert_problem

pytestmark = pytest.mark.django_db


def content(response) -> bytes:
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content)


def rows_of(response, delimiter: str = ",") -> list[list[str]]:
    text = content(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.fixture
def companies(make_org):
    make_org("Société Générale", billing_address={"city": "Paris"}, employees=10)
    make_org("Crédit Lyonnais", billing_address={"city": "Lyon"}, employees=20)
    make_org("Banque Populaire", billing_address={"city": "Paris"})


def test_csv_by_default_with_every_field_and_a_dated_file_name(api, companies, our_company):
    response = api.get("organisations/export")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="organisations-')
    assert disposition.endswith('.csv"')
    header, *rows = rows_of(response)
    assert header[:2] == ["Name", "Legal form"] and "Billing address: city" in header
    assert [row[0] for row in rows] == [
        "Banque Populaire",
        "Crédit Lyonnais",
        our_company.name,
        "Société Générale",
    ]


def test_q_filters_and_order_are_the_lists(api, companies):
    rows = rows_of(api.get("organisations/export", q="societe"))
    assert [row[0] for row in rows[1:]] == ["Société Générale"]
    rows = rows_of(
        api.get(
            "organisations/export",
            billing_address__city="Paris",
            order="-name",
            columns="list",
            delimiter=";",
            bom="true",
        ),
        delimiter=";",
    )
    assert rows[0] == ["Name", "E-mail", "Phone numbers", "City", "Sector", "Last modified"]
    assert [row[0] for row in rows[1:]] == ["Société Générale", "Banque Populaire"]


def test_trashed_ones_only_when_asked(api, make_org):
    gone = make_org("Gone Ltd")
    assert api.delete(f"organisations/{gone.uuid}").status_code == 204
    assert "Gone Ltd" not in content(api.get("organisations/export")).decode()
    assert "Gone Ltd" in content(api.get("organisations/export", include_trashed="true")).decode()


def test_xlsx(api, companies):
    response = api.get("organisations/export", format="xlsx", employees="20")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(content(response))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    header, row = rows
    assert row[header.index("Name")] == "Crédit Lyonnais"
    assert row[header.index("Number of employees")] == 20


def test_vcard(api, make_contact):
    make_contact("Zoé", "Dupont", email="zoe@example.com")
    make_contact("Max", "Martin")
    response = api.get("contacts/export", format="vcf", q="zoe")
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"].endswith('.vcf"')
    (card,) = read_vcards(content(response)).rows
    assert card.values["email"] == "zoe@example.com"


def test_unknown_format_is_422(api, api_fr):
    body = assert_problem(api.get("contacts/export", format="pdf"), 422)
    assert "pdf" in body["detail"] and "csv" in body["detail"]
    assert assert_problem(api_fr.get("contacts/export", format="pdf"), 422)["title"]


def test_bad_parameters_are_400_like_the_list(api):
    assert_problem(api.get("contacts/export", order="nonsense"), 400, "order")
    assert_problem(api.get("contacts/export", colour="blue"), 400, "colour")
    assert_problem(api.get("contacts/export", columns="some"), 400)


def test_authentication_is_required(anonymous, user):
    assert_problem(anonymous.get("contacts/export"), 401)


def test_the_openapi_document_describes_it(anonymous):
    schema = anonymous.client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/contacts/export"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "text/vcard",
    }
    assert "application/problem+json" in operation["responses"]["422"]["content"]
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert {"format", "columns", "q", "order", "include_trashed", "billing_address__city"} <= (
        parameters
    )
    assert "limit" not in parameters and "cursor" not in parameters
