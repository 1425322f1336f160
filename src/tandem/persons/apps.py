from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonsConfig(AppConfig):
    name = "tandem.persons"
    label = "persons"
    verbose_name = _("Accounts and contacts")

    def ready(self) -> None:
        from tandem.core.registry import entity_types
        from tandem.persons.models import Contact, Organisation

        entity_types.register(
            Organisation,
            slug="organisations",
            icon="building",
            new_label=_("New organisation"),
            field_groups=(
                (_("Identity"), ("name", "legal_form", "sector", "staff_size", "employees")),
                (_("Contact details"), ("email", "extra_emails", "phones", "website")),
                (
                    _("Company information"),
                    (
                        "capital",
                        "annual_revenue",
                        "creation_date",
                        "siren",
                        "siret",
                        "naf",
                        "rcs",
                        "vat_number",
                    ),
                ),
                (_("Addresses"), ("billing_address", "shipping_address")),
                (_("Description"), ("description",)),
            ),
            list_columns=("email", "phones", "billing_address__city", "sector"),
        )
        entity_types.register(
            Contact,
            slug="contacts",
            icon="user-round",
            new_label=_("New contact"),
            field_groups=(
                (
                    _("Identity"),
                    (
                        "civility",
                        "prefix",
                        "first_name",
                        "middle_name",
                        "last_name",
                        "suffix",
                        "nickname",
                        "birth_day",
                        "birth_month",
                        "birth_year",
                    ),
                ),
                (_("Work"), ("position", "department", "sector")),
                (_("Contact details"), ("email", "extra_emails", "phones", "website")),
                (_("Addresses"), ("billing_address", "shipping_address")),
                (_("Description"), ("description",)),
            ),
            list_columns=("email", "phones", "position", "billing_address__city"),
        )
