"""Cut the papers' faces of Noto Sans CJK SC into PAPER_FONT_DIR (resettlement.fonts): once per
machine that renders PDFs (app servers and workers); `make setup` runs it."""

from django.core.management.base import BaseCommand, CommandError

from resettlement.fonts import paper_font_dir, paper_fonts_build


class Command(BaseCommand):
    help = "Cut the papers' faces of Noto Sans CJK SC into PAPER_FONT_DIR (skipped when current)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Cut them again even if current.")

    def handle(self, *args, force: bool = False, **options):
        directory = paper_font_dir()
        try:
            written = paper_fonts_build(directory, force=force)
        except FileNotFoundError as error:
            raise CommandError(f"{error} Install Debian's fonts-noto-cjk.") from error
        if written:
            for path in written:
                self.stdout.write(f"Wrote {path}")
        else:
            self.stdout.write(f"The papers' fonts in {directory} are current.")
