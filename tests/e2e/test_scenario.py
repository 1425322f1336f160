"""The seed's walkthrough (../shared/seed/SCENARIO.md), through the UI only, in both languages.

Our company A; B is a customer of A; C is a prospect of A; D is a competitor of A; D also has
C as a prospect, through a custom type "is a prospect of / has as prospect" between
organisations, created in General configuration → Relation types → New custom type.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tandem.core.models import Relation
from tandem.persons.models import Organisation

from .browser import htmx_settled, in_both_languages, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "en": {
        "accounts": "Accounts and contacts",
        "organisations": "Organisations",
        "configuration": "Configuration",
        "general_configuration": "General configuration",
        "relation_types": "Relation types",
        "new_custom_type": "New custom type",
        "new": "New organisation",
        "edit": "Edit",
        "save": "Save",
        "name": "Name",
        "add": "Add",
        "add_relations": "Add the relations",
        "transform_prospect": "Transform into a prospect",
        "transform_customer": "Transform into a customer",
        "competitor_of": "is a competitor of",
        "prospect_of": "is a prospect of",
        "has_as_prospect": "has as prospect",
        "supplier_of": "is a supplier of",
        "has_as_competitor": "has as competitor",
        "custom": "custom",
        "relations": "Relations",
        "create_type": "Create the relation type",
    },
    "fr": {
        "accounts": "Comptes et contacts",
        "organisations": "Organisations",
        "configuration": "Configuration",
        "general_configuration": "Configuration générale",
        "relation_types": "Types de relation",
        "new_custom_type": "Nouveau type personnalisé",
        "new": "Nouvelle organisation",
        "edit": "Modifier",
        "save": "Enregistrer",
        "name": "Nom",
        "add": "Ajouter",
        "add_relations": "Ajouter les relations",
        "transform_prospect": "Transformer en prospect",
        "transform_customer": "Transformer en client",
        "competitor_of": "est un concurrent de",
        "prospect_of": "est prospect de",
        "has_as_prospect": "a pour prospect",
        "supplier_of": "est un fournisseur de",
        "has_as_competitor": "a pour concurrent",
        "custom": "personnalisé",
        "relations": "Relations",
        "create_type": "Créer le type de relation",
    },
}


def open_menu(page: Page, menu: str, item: str) -> None:
    page.locator("details.menu-group > summary", has_text=menu).click()
    with page.expect_navigation():
        page.locator("details.menu-group[open] a", has_text=item).first.click()


def open_organisation(page: Page, words: dict[str, str], name: str) -> None:
    open_menu(page, words["accounts"], words["organisations"])
    with page.expect_navigation():
        page.get_by_role("link", name=name, exact=True).click()
    expect(page.locator("h1")).to_have_text(name)


def create_organisation(page: Page, words: dict[str, str], name: str) -> None:
    open_menu(page, words["accounts"], words["organisations"])
    with page.expect_navigation():
        page.get_by_role("link", name=words["new"]).click()
    page.get_by_label(words["name"], exact=False).first.fill(name)
    with page.expect_navigation():
        page.get_by_role("button", name=words["save"]).click()
    expect(page.locator("h1")).to_have_text(name)


def add_relation(page: Page, words: dict[str, str], predicate: str, target: str) -> None:
    """Use the Relations section's Add dialog: choose the type, search, tick, add."""
    page.locator(".card-header", has_text=words["relations"]).get_by_role(
        "link", name=words["add"]
    ).click()
    dialog = page.locator("#dialog")
    expect(dialog).to_be_visible()
    htmx_settled(page)
    select = dialog.locator("select[name=relation_type]")
    option = select.locator("option", has_text=re.compile(rf"^{re.escape(predicate)}( \(|$)"))
    select.select_option(value=option.first.get_attribute("value"))
    search = dialog.locator("#picker-search")
    expect(search).to_be_visible()
    htmx_settled(page)
    with page.expect_response(lambda response: "/relations/picker/" in response.url):
        search.fill(target)
    htmx_settled(page)
    result = dialog.locator("#picker-results label").filter(
        has=page.locator("span", has_text=re.compile(rf"^{re.escape(target)}$"))
    )
    expect(result).to_have_count(1)
    result.locator("input").check()
    expect(dialog.locator("#picker-chosen input:checked")).to_have_count(1)
    with page.expect_navigation():
        dialog.get_by_role("button", name=words["add_relations"]).click()


def linked_names(page: Page, predicate: str) -> list[str]:
    """Names linked by every relation group whose title starts with ``predicate``."""
    groups = page.locator(".relation-group").filter(
        has=page.locator("h3", has_text=re.compile(rf"^{re.escape(predicate)}", re.I))
    )
    return sorted(groups.locator(".relation-row a").all_inner_texts())


def relation_group(page: Page, predicate: str):
    return page.locator(
        ".relation-group",
        has=page.locator("h3", has_text=re.compile(rf"^{re.escape(predicate)}", re.I)),
    )


@in_both_languages
def test_the_seed_walkthrough(page: Page, live_server, browser_user, password, language):
    words = WORDS[language]
    login(page, live_server, browser_user.username, password)
    screenshot(page, "scenario-01-home")

    # 2. The organisation created at install is renamed A.
    open_menu(page, words["accounts"], words["organisations"])
    expect(page.locator("table.data tbody tr")).to_have_count(1)
    screenshot(page, "scenario-02-organisations")
    installed = Organisation.objects.get(is_managed=True).name
    with page.expect_navigation():
        page.get_by_role("link", name=installed).click()
    with page.expect_navigation():
        page.get_by_role("link", name=words["edit"]).click()
    page.locator("input[name=name]").fill("A")
    page.locator("input[name=email]").fill("contact@a.example")
    with page.expect_navigation():
        page.get_by_role("button", name=words["save"]).click()
    expect(page.locator("h1")).to_have_text("A")

    # 3. B, C and D; four organisations, no relations yet.
    for name in ("B", "C", "D"):
        create_organisation(page, words, name)
    open_menu(page, words["accounts"], words["organisations"])
    expect(page.locator("table.data tbody tr")).to_have_count(4)
    assert not Relation.objects.exists()

    # 5. Shortcuts: C becomes a prospect of A, B a customer of A; the button then goes away.
    open_organisation(page, words, "C")
    with page.expect_navigation():
        page.get_by_role("button", name=words["transform_prospect"], exact=True).click()
    expect(page.get_by_role("button", name=words["transform_prospect"], exact=True)).to_have_count(
        0
    )
    open_organisation(page, words, "B")
    with page.expect_navigation():
        page.get_by_role("button", name=words["transform_customer"], exact=True).click()

    # 6. The general case, through the dialog: D is a competitor of A.
    open_organisation(page, words, "D")
    add_relation(page, words, words["competitor_of"], "A")

    # 7. The missing type, created as in the article.
    open_menu(page, words["configuration"], words["relation_types"])
    with page.expect_navigation():
        page.get_by_role("link", name=words["new_custom_type"]).click()
    subject, object_ = page.locator("fieldset.card").nth(0), page.locator("fieldset.card").nth(1)
    organisations = re.compile("^organisations$", re.I)
    subject.get_by_role("checkbox", name=organisations).check()
    subject.locator("input[name=subject_predicate]").fill(words["prospect_of"])
    object_.get_by_role("checkbox", name=organisations).check()
    object_.locator("input[name=object_predicate]").fill(words["has_as_prospect"])
    screenshot(page, "scenario-07-new-custom-type")
    with page.expect_navigation():
        page.get_by_role("button", name=words["create_type"]).click()
    expect(page.locator(".badge.custom").first).to_be_visible()
    screenshot(page, "scenario-07-relation-types")

    # 8. D has C as prospect: from C's page, C "is a prospect of" D with the custom type.
    open_organisation(page, words, "C")
    add_relation(page, words, f"{words['prospect_of']} ({words['custom']})", "D")
    screenshot(page, "scenario-08-c")

    # What "done" looks like.
    open_organisation(page, words, "A")
    screenshot(page, "scenario-09-a")
    assert linked_names(page, words["supplier_of"]) == ["B"]
    assert linked_names(page, words["has_as_prospect"]) == ["C"]
    assert linked_names(page, words["has_as_competitor"]) == ["D"]

    open_organisation(page, words, "C")
    assert linked_names(page, words["prospect_of"]) == ["A", "D"]

    open_organisation(page, words, "D")
    screenshot(page, "scenario-10-d")
    assert linked_names(page, words["has_as_prospect"]) == ["C"]
    assert linked_names(page, words["competitor_of"]) == ["A"]

    # Deleting one side removes both: D stops having C as prospect.
    row = relation_group(page, words["has_as_prospect"]).locator(".relation-row", has_text="C")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        row.get_by_role("button").click()
    expect(relation_group(page, words["has_as_prospect"])).to_have_count(0)
    open_organisation(page, words, "C")
    assert linked_names(page, words["prospect_of"]) == ["A"]

    # The custom type is offered for organisations only, not for contacts.
    page.locator(".card-header", has_text=words["relations"]).get_by_role(
        "link", name=words["add"]
    ).click()
    custom_option = page.locator(
        "#dialog select[name=relation_type] option", has_text=f"({words['custom']})"
    )
    expect(custom_option).to_have_count(2)  # both sides go from organisation to organisation
    page.locator("#dialog .dialog-footer [data-close-dialog]").click()
    expect(page.locator("#dialog")).to_be_hidden()
    open_menu(page, words["accounts"], "Contacts")
    with page.expect_navigation():
        page.locator(".page-header a.button.primary").click()
    page.locator("input[name=last_name]").fill("Martin")
    with page.expect_navigation():
        page.get_by_role("button", name=words["save"]).click()
    page.locator(".card-header", has_text=words["relations"]).get_by_role(
        "link", name=words["add"]
    ).click()
    expect(page.locator("#dialog select[name=relation_type]")).to_be_visible()
    expect(
        page.locator("#dialog select[name=relation_type] option", has_text=f"({words['custom']})")
    ).to_have_count(0)
    screenshot(page, "scenario-11-contact-dialog")
