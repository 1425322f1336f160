from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonsConfig(AppConfig):
    name = "tandem.persons"
    label = "persons"
    verbose_name = _("Accounts and contacts")

    def ready(self) -> None:
        from tandem.core.registry import entity_types
        from tandem.persons.models import Contact, Organisation

        entity_types.register(Organisation, slug="organisations")
        entity_types.register(Contact, slug="contacts")
