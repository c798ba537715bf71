"""Give back the flats whose lock at a desk has expired: `manage.py selection_sweep`, run every
minute from cron on selection days (e.g. `* * * * * cd /srv/resettlement && .venv/bin/python
manage.py selection_sweep`). An expired lock already reads as expired everywhere (queries, the
board, the desks) before the sweep; the sweep writes the flat's status, its history and the
day's log. Desks that lock flats sweep their event too."""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from resettlement.selection.services import holds_expire


class Command(BaseCommand):
    help = "Give back the flats whose lock at a selection desk has expired."

    def handle(self, *args, **options):
        count = holds_expire()
        if count:
            message = ngettext(
                "%(count)s expired lock released.", "%(count)s expired locks released.", count
            )
            self.stdout.write(message % {"count": count})
