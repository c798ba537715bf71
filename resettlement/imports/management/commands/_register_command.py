"""What `import_households` and `import_flats` share: arguments, output and exit status."""

from collections.abc import Callable
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from resettlement.imports.registers import ImportResult
from resettlement.projects.models import Project


class RegisterImportCommand(BaseCommand):
    importer: Callable[..., ImportResult]  # households_import or flats_import

    def add_arguments(self, parser):
        parser.add_argument("project_code", help="code of the project the register belongs to")
        parser.add_argument("file", type=Path, help="the register, an .xlsx workbook")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate every row but write nothing"
        )
        parser.add_argument("--user", help="username the change is recorded under")

    def handle(self, *args, project_code, file, dry_run, user, **options):
        try:
            project = Project.objects.get(code=project_code)
        except Project.DoesNotExist:
            raise CommandError(
                _("No project with code %(code)s.") % {"code": project_code}
            ) from None
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(_("No user named %(name)s.") % {"name": user})
        if not file.is_file():
            raise CommandError(_("File not found: %(file)s") % {"file": file})
        with file.open("rb") as stream:
            result = type(self).importer(
                project=project, file=stream, filename=file.name, dry_run=dry_run, by=by
            )
        for note in result.notes:
            self.stdout.write(note)
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(count)s error(s) in %(file)s; nothing was imported.")
                % {"count": len(result.errors), "file": file.name}
            )
        rows = result.batch.row_count
        if dry_run:
            message = _("%(rows)s rows checked, no errors (dry run: nothing written).")
        else:
            message = _("%(rows)s rows imported into %(project)s.")
        self.stdout.write(self.style.SUCCESS(message % {"rows": rows, "project": project.name}))
