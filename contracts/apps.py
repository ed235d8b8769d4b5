from typing import TextIO

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Technology contracts")

    def load_demo(self, stdout: TextIO) -> None:
        """Called by `manage.py load_demo` after the listings and demo users exist."""
        from django.utils.translation import gettext as _

        from contracts.demo import create_demo_agreement

        agreement = create_demo_agreement()
        sealed = _("sealed") if agreement.sealed_at else _("seal pending")
        stdout.write(
            _("Demo agreement: %(agreement)s (%(status)s, %(seal)s)")
            % {"agreement": agreement, "status": agreement.get_status_display(), "seal": sealed}
            + "\n"
        )
