from resettlement.imports.management.commands._register_command import RegisterImportCommand
from resettlement.imports.registers import flats_import


class Command(RegisterImportCommand):
    help = "Import a flat register (.xlsx) into a project's buildings, all rows or none."
    importer = flats_import
