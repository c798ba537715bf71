from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from maps.formats import too_large_message, upload_max_bytes
from maps.importing import TARGETS, geometry_import, more_errors_text
from resettlement.projects.models import Project


class Command(BaseCommand):
    help = (
        "Import building footprints or village boundaries (GeoJSON, GeoPackage, zipped Shapefile, "
        "KML/KMZ, DXF) into a project, matched by a code field; all features or none. The same "
        "format checks and limits (GEODATA_UPLOAD_MAX_MB, GEODATA_MAX_FEATURES) as the upload "
        "page apply."
    )

    def add_arguments(self, parser):
        parser.add_argument("project_code")
        parser.add_argument("file", type=Path)
        parser.add_argument("--layer", help="layer to read when the file has several")
        parser.add_argument(
            "--crs", help="coordinate system of a file that states none, e.g. EPSG:4545"
        )
        parser.add_argument("--match-field", help="field holding the building or village code")
        parser.add_argument("--target", choices=TARGETS, help="default: whichever the codes match")
        parser.add_argument(
            "--dry-run", action="store_true", help="check everything, write nothing"
        )
        parser.add_argument("--user", help="username the change is recorded under")

    def handle(
        self, *args, project_code, file, layer, crs, match_field, target, dry_run, user, **options
    ):
        project = Project.objects.filter(code=project_code).first()
        if project is None:
            raise CommandError(_("No project with code %(code)s.") % {"code": project_code})
        if not file.is_file():
            raise CommandError(_("File not found: %(file)s") % {"file": file})
        if file.stat().st_size > upload_max_bytes():
            raise CommandError(too_large_message())
        by = get_user_model().objects.filter(username=user).first() if user else None
        if user and by is None:
            raise CommandError(_("No user named %(name)s.") % {"name": user})
        result = geometry_import(
            project=project, path=file, layer=layer, crs=crs, match_field=match_field,
            target=target, dry_run=dry_run, by=by,
        )  # fmt: skip
        for note in result.repaired:
            self.stdout.write(self.style.WARNING(str(note)))
        if result.errors:
            for error in result.shown_errors:
                self.stderr.write(str(error))
            if result.hidden_error_count:
                self.stderr.write(more_errors_text(result.hidden_error_count))
            raise CommandError(
                _("%(count)s error(s) in %(file)s; nothing was imported.")
                % {"count": len(result.errors), "file": file.name}
            )
        summary = _(
            "%(matched)s features matched to %(target)s by %(field)s (read as %(crs)s)."
        ) % {
            "matched": result.matched,
            "target": result.target_label,
            "field": result.match_field,
            "crs": result.source_crs,
        }
        if dry_run:
            summary += " " + _("Dry run: nothing written.")
        self.stdout.write(self.style.SUCCESS(summary))
