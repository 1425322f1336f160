from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConfigConfig(AppConfig):
    name = "tandem.config"
    label = "tandem_config"
    verbose_name = _("General configuration")
