"""`manage.py reset_demo_roadshow`: put the demo roadshow back so its demo can be played again
(status scheduled, starting tomorrow at the same time; live state, questions, intents and 1:1
meetings cleared; registrations kept). See `projects.demo_reset`.

    manage.py reset_demo_roadshow              # every demo roadshow (load_demo makes one)
    manage.py reset_demo_roadshow --roadshow 7 # that one; refused unless it is a demo
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kernel.local_time import BEIJING
from projects.demo_reset import NotADemo, reset_demo_roadshow
from projects.models import Roadshow


class Command(BaseCommand):
    help = "Reset the demo roadshow so its demo can be replayed (refuses non-demo roadshows)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--roadshow", type=int, help="id of the demo roadshow to reset")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["roadshow"] is not None:
            roadshow = Roadshow.objects.filter(pk=options["roadshow"]).first()
            if roadshow is None:
                raise CommandError(f"no roadshow {options['roadshow']}")
            targets = [roadshow]
        else:
            targets = list(Roadshow.objects.filter(is_demo=True))
            if not targets:
                raise CommandError("no demo roadshow; run manage.py load_demo first")
        for roadshow in targets:
            try:
                done = reset_demo_roadshow(roadshow)
            except NotADemo as exc:
                raise CommandError(f"{exc}; only demo roadshows can be reset") from None
            # In Beijing time, the time the demo's audience and staff read (TIME_ZONE).
            starts = done.starts_at.astimezone(BEIJING).isoformat(sep=" ", timespec="minutes")
            self.stdout.write(f"reset roadshow {done.pk} ({done.title}): starts "
                              f"{starts} (Beijing time)")
