"""The print job's last step becomes two, run side by side: the merged PDF (assembly) and the
ZIP (archive). Jobs recorded before get their archive step: done if the job has its ZIP,
waiting otherwise (the worker's recovery queues it)."""

from django.db import migrations, models
from django.db.models import Max


def add_archive_parts(apps, schema_editor):
    PrintJob = apps.get_model("handover", "PrintJob")
    PrintPart = apps.get_model("handover", "PrintPart")
    for job in PrintJob.objects.exclude(parts__role="archive"):
        number = PrintPart.objects.filter(job=job).aggregate(last=Max("number"))["last"] or 0
        PrintPart.objects.create(
            job=job,
            number=number + 1,
            role="archive",
            status="done" if job.zip_id is not None else "pending",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("handover", "0002_print_jobs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="printpart",
            name="role",
            field=models.CharField(
                choices=[
                    ("documents", "Documents"),
                    ("assembly", "Merged PDF"),
                    ("archive", "ZIP of the households' PDFs"),
                ],
                default="documents",
                max_length=10,
            ),
        ),
        migrations.RunPython(add_archive_parts, migrations.RunPython.noop),
    ]
