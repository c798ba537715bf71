from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from maps.exporting import geometry_export
from maps.formats import EXPORT_DRIVERS
from resettlement.projects.models import Project


class Command(BaseCommand):
    help = (
        "Export a project's buildings (phase, stage, progress) and villages to .gpkg or .geojson."
    )

    def add_arguments(self, parser):
        parser.add_argument("project_code")
        parser.add_argument("file", type=Path, help="FILE.gpkg or FILE.geojson")

    def handle(self, *args, project_code, file, **options):
        project = Project.objects.filter(code=project_code).first()
        if project is None:
            raise CommandError(_("No project with code %(code)s.") % {"code": project_code})
        if file.suffix.lower() not in EXPORT_DRIVERS:
            raise CommandError(_("Export to .gpkg or .geojson."))
        counts = geometry_export(project=project, path=file)
        layers = ", ".join(f"{layer}: {count}" for layer, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"{file} ({layers})"))
