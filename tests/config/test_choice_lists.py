"""Choice lists: add, rename, reorder, delete with a replacement value."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tandem.core.models import HistoryEntry
from tandem.persons.choices import CHOICE_LISTS, add_choice, delete_choice, move_choice
from tandem.persons.models import Civility, LegalForm, Organisation, Sector

pytestmark = pytest.mark.django_db


def names(model) -> list[str]:
    return [str(item) for item in model.objects.order_by("order", "name", "pk")]


def test_page_has_one_section_per_list(logged):
    page = logged.get(reverse("config:choice_lists")).content.decode()
    for slug in ("civility", "legal-form", "sector", "staff-size", "position"):
        assert f'id="list-{slug}"' in page
    assert "Agriculture" in page and "Mrs." in page


def test_page_speaks_french(logged):
    page = logged.get(reverse("config:choice_lists"), HTTP_ACCEPT_LANGUAGE="fr")
    assert 'lang="fr"' in page.content.decode()


def test_add_a_value_at_the_end(logged):
    response = logged.post(
        reverse("config:choice_add", args=["sector"]), {"name": " Aerospace "}, follow=True
    )
    assert "was added" in response.content.decode()
    assert names(Sector)[-1] == "Aerospace"


def test_adding_an_empty_or_duplicate_value_is_refused(logged):
    before = Sector.objects.count()
    page = logged.post(
        reverse("config:choice_add", args=["sector"]), {"name": ""}, follow=True
    ).content.decode()
    assert "Write the value" in page
    page = logged.post(
        reverse("config:choice_add", args=["sector"]), {"name": "agriculture"}, follow=True
    ).content.decode()
    assert "already in this list" in page
    assert Sector.objects.count() == before


def test_rename_a_built_in_value(logged):
    mister = Civility.objects.get(name="Mr.")
    url = reverse("config:choice_rename", args=["civility", mister.pk])
    assert 'value="Mr."' in logged.get(url, HTTP_HX_REQUEST="true").content.decode()
    logged.post(url, {"name": "Monsieur"})
    mister.refresh_from_db()
    assert mister.name == "Monsieur" and not mister.is_builtin


def test_rename_to_empty_is_told_in_the_form(logged):
    mister = Civility.objects.get(name="Mr.")
    response = logged.post(
        reverse("config:choice_rename", args=["civility", mister.pk]), {"name": ""}
    )
    assert response.status_code == 200
    assert "Write the value" in response.content.decode()
    mister.refresh_from_db()
    assert mister.name == "Mr."


def test_move_up_and_down(logged):
    first, second = list(Civility.objects.order_by("order", "name", "pk"))[:2]
    url = reverse("config:choice_move", args=["civility", second.pk])
    logged.post(url, {"direction": "up"})
    assert names(Civility)[:2] == [str(second), str(first)]
    logged.post(url, {"direction": "down"})
    assert names(Civility)[:2] == [str(first), str(second)]


def test_moving_the_first_up_changes_nothing(user):
    before = names(Civility)
    move_choice(user=user, item=Civility.objects.order_by("order").first(), offset=-1)
    assert names(Civility) == before


def test_delete_with_a_replacement_repoints_entities(logged, user, make_org, make_contact):
    retail, industry = Sector.objects.get(name="Retail"), Sector.objects.get(name="Industry")
    shop, mart = make_org("Shop", sector=retail), make_org("Mart", sector=retail)
    bob = make_contact("Bob", "Seller", sector=retail)
    other = make_org("Other", sector=industry)
    url = reverse("config:choice_delete", args=["sector", retail.pk])
    page = logged.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "3 entities use it" in page
    assert "— No value —" in page
    response = logged.post(url, {"replacement": industry.pk}, follow=True)
    assert "3 entities now have" in response.content.decode()
    assert not Sector.objects.filter(pk=retail.pk).exists()
    for entity in (shop, mart, bob, other):
        entity.refresh_from_db()
        assert entity.sector_id == industry.pk
    assert shop.version == 2 and other.version == 1
    entry = HistoryEntry.objects.filter(entity=bob, kind=HistoryEntry.Kind.EDITED).get()
    assert entry.data["changes"] == [{"field": "sector", "old": "Retail", "new": "Industry"}]


def test_delete_with_no_replacement_clears_the_field(logged, make_org):
    form = LegalForm.objects.order_by("order").first()
    acme = make_org("ACME", legal_form=form)
    logged.post(reverse("config:choice_delete", args=["legal-form", form.pk]), {"replacement": ""})
    acme.refresh_from_db()
    assert acme.legal_form_id is None
    assert not LegalForm.objects.filter(pk=form.pk).exists()


def test_replacement_from_another_list_or_itself_is_refused(logged, user, make_org):
    retail = Sector.objects.get(name="Retail")
    shop = make_org("Shop", sector=retail)
    response = logged.post(
        reverse("config:choice_delete", args=["sector", retail.pk]), {"replacement": retail.pk}
    )
    assert response.status_code == 200  # not in the choices: a field error, nothing deleted
    assert 'class="field invalid"' in response.content.decode()
    assert Sector.objects.filter(pk=retail.pk).exists()
    with pytest.raises(ValidationError):
        delete_choice(user=user, item=retail, replacement=LegalForm.objects.first())
    with pytest.raises(ValidationError):
        delete_choice(user=user, item=retail, replacement=retail)
    shop.refresh_from_db()
    assert shop.sector_id == retail.pk


def test_every_list_knows_the_fields_using_it():
    for choice_list in CHOICE_LISTS.values():
        for model, field in choice_list.fields:
            assert model._meta.get_field(field).related_model is choice_list.model


def test_unknown_list_is_404(logged):
    assert (
        logged.post(reverse("config:choice_add", args=["nope"]), {"name": "x"}).status_code == 404
    )


def test_added_value_is_offered_to_organisations(user):
    add_choice(user=user, model=Sector, name="Aerospace")
    assert (
        Organisation._meta.get_field("sector")
        .related_model.objects.filter(name="Aerospace")
        .exists()
    )
