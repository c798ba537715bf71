"""Re-encrypt every stored ID number under the first key of ID_NUMBER_KEYS and recompute its
hash under ID_HASH_KEY: households, members and their history. To rotate the encryption key,
put the new key first in ID_NUMBER_KEYS (keep the old one after it), run this, then remove the
old key; to change ID_HASH_KEY, set it and run this. Each table is rewritten in one
transaction, so a table is either all under the new keys or all as it was."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from resettlement.history import history_model
from resettlement.households.models import Household, Member
from resettlement.id_encryption import id_numbers_rewrite

TABLES = (
    (Household, ("head_id_number", "head_id_hash", "head_id_tail")),
    (history_model(Household), ("head_id_number", "head_id_hash", "head_id_tail")),
    (Member, ("id_number", "id_hash", "id_tail")),
    (history_model(Member), ("id_number", "id_hash", "id_tail")),
)


class Command(BaseCommand):
    help = _("Re-encrypt every ID number under the first key and recompute its lookup hash.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        total = 0
        for model, columns in TABLES:
            with transaction.atomic():
                written = id_numbers_rewrite(model, *columns)
            total += written
            self.stdout.write(f"{model._meta.db_table}: {written}")
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)d ID numbers re-encrypted in %(seconds).1f s.")
                % {"count": total, "seconds": seconds}
            )
        )
