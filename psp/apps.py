from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PspConfig(AppConfig):
    name = "psp"
    verbose_name = _("People, programs and audit")

    def ready(self) -> None:
        from django.db.models.signals import pre_migrate

        from psp import signals  # connects the sign-in audit receivers

        pre_migrate.connect(signals.refuse_irreversible_plan, sender=self)
