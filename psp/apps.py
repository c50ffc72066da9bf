from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PspConfig(AppConfig):
    name = "psp"
    verbose_name = _("People, programs and audit")

    def ready(self) -> None:
        from django.db.models.signals import pre_migrate
        from django.utils.module_loading import autodiscover_modules

        from psp import signals  # connects the sign-in audit receivers

        pre_migrate.connect(signals.refuse_irreversible_plan, sender=self)
        # Each app's permission rules (``<app>/rules.py``) and what it adds to pages it
        # does not own, such as the navigation bar (``<app>/hooks.py``, see psp.hooks):
        # psp asks, it never imports the apps.
        autodiscover_modules("rules", "hooks")
