from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tandem.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from tandem.core.search import keep_search_index, register_sqlite_fold
        from tandem.core.statistics import refresh_after_migrate

        connection_created.connect(register_sqlite_fold, dispatch_uid="tandem_sqlite_fold")
        post_migrate.connect(keep_search_index, sender=self, dispatch_uid="tandem_search_index")
        post_migrate.connect(
            refresh_after_migrate, sender=self, dispatch_uid="tandem_planner_statistics"
        )
