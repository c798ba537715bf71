"""No domain module imports from a layer above its own (the order in resettlement/__init__.py):
every import is read from the source, those inside functions included."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAYERS = {
    "resettlement": 1,
    "resettlement.projects": 2,
    "resettlement.accounts": 3,
    "resettlement.archive": 4,
    "resettlement.housing": 4,
    "resettlement.households": 4,
    "resettlement.progress": 5,
    "resettlement.lottery": 6,
    "resettlement.selection": 7,
    "resettlement.handover": 8,
    "resettlement.imports": 8,
    "resettlement.demo": 9,
    "resettlement.household_status": 9,
    "maps": 10,
    "resettlement.reports": 11,
    "api": 12,
}

# The web layer may import any app.
WEB_MODULES = {"views", "admin", "urls", "admin_site"}
WEB_PACKAGES = {"management", "migrations", "views"}


def app_of(module: str) -> str | None:
    """The entry of LAYERS a dotted module belongs to (the longest prefix), None outside."""
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        prefix = ".".join(parts[:length])
        if prefix in LAYERS:
            return prefix
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def domain_files() -> list[Path]:
    files = []
    for top in ("resettlement", "maps", "api"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if path.stem in WEB_MODULES or WEB_PACKAGES.intersection(parts):
                continue
            files.append(path)
    return files


def upward_in(module: str, source: str) -> list[str]:
    """Every import in `source` (at any depth) of a layer at or above that of `module`."""
    own = app_of(module)
    assert own is not None, f"{module} belongs to no layer: place its app in LAYERS"
    package = module.rpartition(".")[0]
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from resettlement import lottery` imports the app: judge base.name.
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            other = app_of(name)
            if other is not None and other != own and LAYERS[other] >= LAYERS[own]:
                problems.append(f"{module}:{node.lineno} ({own}) imports {name}")
    return problems


def upward_imports() -> list[str]:
    problems = []
    for path in domain_files():
        problems += upward_in(module_name(path), path.read_text(encoding="utf-8"))
    return problems


def test_every_app_has_a_layer():
    apps = {module_name(init.parent) for init in (ROOT / "resettlement").glob("*/__init__.py")}
    assert apps - set(LAYERS) == set()


def test_no_domain_module_imports_from_its_own_layer_or_above():
    assert upward_imports() == []


def test_the_check_sees_imports_inside_functions():
    source = "def step():\n    from resettlement.selection.models import Selection\n"
    assert upward_in("resettlement.lottery.lifecycle", source) == [
        "resettlement.lottery.lifecycle:2 (resettlement.lottery) imports "
        "resettlement.selection.models.Selection"
    ]


def test_the_check_lets_a_layer_import_those_below_it():
    source = "from resettlement import lottery_verify\nfrom resettlement.lottery import notice\n"
    assert upward_in("resettlement.selection.services", source) == []
