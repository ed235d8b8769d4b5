from typing import TextIO

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Roadshows and meetings")

    def ready(self) -> None:
        from projects import signals

        signals.connect()

    def load_demo(self, stdout: TextIO) -> None:
        """Called by `manage.py load_demo` after the listings and demo users exist."""
        from django.utils.translation import gettext as _

        from projects.demo import create_demo_roadshow

        roadshow = create_demo_roadshow()
        stdout.write(
            _("Demo roadshow: %(roadshow)s (%(count)d projects)")
            % {"roadshow": roadshow, "count": roadshow.slots.count()}
            + "\n"
        )
