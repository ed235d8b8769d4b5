from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from matching import signals
        from matching.alerts import signals as alert_signals

        signals.connect()
        alert_signals.connect()
