"""The list pages' Export menu: present on every list, exporting what the list shows."""

from __future__ import annotations

import csv
import html
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from tandem.io.vcard import read_vcards

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def export_links(page: str) -> list[str]:
    menu = re.search(r'<details class="menu-group export-menu">(.*?)</details>', page, re.S)
    assert menu, "no export menu"
    return [html.unescape(link) for link in re.findall(r'<a href="([^"]+)"', menu.group(1))]


def rows_of(response, delimiter: str = ",") -> list[list[str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.mark.parametrize(("slug", "formats"), [("organisations", 6), ("contacts", 6)])
def test_every_list_has_the_menu(logged_in, slug, formats):
    page = logged_in.get(reverse("entity_list", args=[slug])).content.decode()
    links = export_links(page)
    assert len(links) == formats
    assert all(link.startswith(reverse("entity_export", args=[slug])) for link in links)
    assert any("format=xlsx" in link for link in links)
    assert any("delimiter=%3B" in link and "bom=1" in link for link in links)
    assert any("format=vcf" in link for link in links)
    assert sum("columns=all" in link for link in links) == 2
    assert 'summary class="button"' in page  # styled like the other page buttons


def test_export_honours_the_search_the_column_searches_and_the_order(logged_in, make_org):
    make_org("Société Générale", billing_address={"city": "Paris"})
    make_org("Société Marseillaise", billing_address={"city": "Marseille"})
    make_org("Crédit Lyonnais", billing_address={"city": "Lyon"})
    make_org("Banque Populaire", billing_address={"city": "Paris"})
    listing = reverse("entity_list", args=["organisations"])
    page = logged_in.get(listing, {"q": "societe", "sort": "-label", "after": "x"}).content
    csv_link = export_links(page.decode())[0]
    assert "after=" not in csv_link
    header, *rows = rows_of(logged_in.get(csv_link))
    assert header == ["Name", "E-mail", "Phone numbers", "City", "Sector", "Last modified"]
    assert [row[0] for row in rows] == ["Société Marseillaise", "Société Générale"]

    page = logged_in.get(listing, {"f_billing_address__city": "pari"}).content.decode()
    excel_link = next(link for link in export_links(page) if "delimiter" in link)
    response = logged_in.get(excel_link)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="organisations-')
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row[0] for row in rows[1:]) == ["Banque Populaire", "Société Générale"]


def test_xlsx_and_vcard_exports(logged_in, make_contact):
    make_contact("Zoé", "Dupont", email="zoe@example.com")
    make_contact("Max", "Martin")
    url = reverse("entity_export", args=["contacts"])
    response = logged_in.get(url, {"format": "xlsx", "q": "dupont"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["Name", "Zoé Dupont"]
    response = logged_in.get(url, {"format": "vcf"})
    table = read_vcards(b"".join(response.streaming_content))
    assert sorted(row.values["first_name"] for row in table) == ["Max", "Zoé"]


def test_an_unknown_format_goes_back_to_the_list_with_a_message(logged_in):
    url = reverse("entity_export", args=["contacts"])
    response = logged_in.get(url, {"format": "pdf", "q": "zoe"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("entity_list", args=["contacts"]) + "?q=zoe"
    assert "pdf" in response.content.decode()


def test_login_required(client):
    response = client.get(reverse("entity_export", args=["contacts"]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_every_field_export_holds_relations_and_imports_again(logged_in, make_org, make_contact):
    from tandem.core.services import link
    from tandem.persons.constants import REL_SUB_EMPLOYED_BY

    acme = make_org("Acme")
    zoe = make_contact("Zoé", "Dupont", email="zoe@example.com")
    link(user=None, subject=zoe, relation_type=REL_SUB_EMPLOYED_BY, object=acme)
    url = reverse("entity_export", args=["contacts"])
    header, *rows = rows_of(logged_in.get(f"{url}?format=csv&columns=all&q=zoe"))
    record = dict(zip(header, rows[0], strict=True))
    assert record["First name"] == "Zoé" and record["Is an employee of"] == "Acme"
    list_header, *_rows = rows_of(logged_in.get(f"{url}?format=csv&q=zoe"))
    assert "Is an employee of" not in list_header and len(list_header) < len(header)


def test_each_kind_of_export_has_its_own_file_name(logged_in):
    url = reverse("entity_export", args=["contacts"])
    names = {
        logged_in.get(f"{url}?{query}")["Content-Disposition"].split("filename=")[1].strip('"')
        for query in ("format=csv", "format=csv&delimiter=%3B&bom=1", "format=csv&columns=all")
    }
    assert len(names) == 3
    assert any(name.endswith("-excel.csv") for name in names)
    assert any(name.endswith("-all-fields.csv") for name in names)
