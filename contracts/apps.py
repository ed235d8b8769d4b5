from typing import TextIO

from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"

    def load_demo(self, stdout: TextIO) -> None:
        """Called by `manage.py load_demo` after the listings and demo users exist."""
        from contracts.demo import create_demo_agreement

        agreement = create_demo_agreement()
        sealed = "sealed" if agreement.sealed_at else "seal pending"
        stdout.write(f"Demo agreement: {agreement} ({agreement.get_status_display()}, {sealed})\n")
