from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PspConfig(AppConfig):
    name = "psp"
    verbose_name = _("People, programs and audit")

    def ready(self) -> None:
        from psp import signals  # noqa: F401 - connects the sign-in audit receivers
