from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = _("Mentoring")

    def ready(self) -> None:
        from psp.backup import database_restored

        from .models import CaseworkVersion

        database_restored.connect(
            CaseworkVersion.advance_past_everything, dispatch_uid="casework-after-restore"
        )
