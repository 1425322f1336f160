from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IoConfig(AppConfig):
    name = "tandem.io"
    label = "tandem_io"
    verbose_name = _("Imports and exports")
