from typing import TextIO

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self) -> None:
        from projects import signals

        signals.connect()

    def load_demo(self, stdout: TextIO) -> None:
        """Called by `manage.py load_demo` after the listings and demo users exist."""
        from projects.demo import create_demo_roadshow

        roadshow = create_demo_roadshow()
        stdout.write(f"Demo roadshow: {roadshow} ({roadshow.slots.count()} projects)\n")
