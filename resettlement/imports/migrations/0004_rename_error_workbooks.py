"""Error workbooks stored before 0003 are named by their time of upload
(import-errors/2026/11/households-errors-20261123-124800.xlsx), which can be guessed: give each
one a random name, as new ones get."""

from django.db import migrations

from resettlement.imports.models import error_report_path, private_storage


def rename(apps, schema_editor):
    ImportBatch = apps.get_model("imports", "ImportBatch")
    storage = private_storage()
    for batch in ImportBatch.objects.exclude(error_report="").only("pk", "error_report"):
        old = batch.error_report.name
        if not storage.exists(old):
            continue
        with storage.open(old, "rb") as content:
            new = storage.save(error_report_path(batch, old), content)
        ImportBatch.objects.filter(pk=batch.pk).update(error_report=new)
        storage.delete(old)


class Migration(migrations.Migration):
    dependencies = [("imports", "0003_background_progress_random_names")]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
