from resettlement.imports.management.commands._register_command import RegisterImportCommand
from resettlement.imports.registers import households_import


class Command(RegisterImportCommand):
    help = "Import a household register (.xlsx) into a project, all rows or none."
    importer = households_import
