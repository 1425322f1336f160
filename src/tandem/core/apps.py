from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tandem.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from tandem.core.search import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="tandem_sqlite_fold")
