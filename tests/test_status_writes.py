"""Statuses are written only by the lifecycle functions (each app's lifecycle.py, on the tables
of resettlement/lifecycle.py). Anywhere else in the product code, assigning `.status`, passing
`status=` to a model or to a create or update, or naming "status" among the fields a save or a
bulk update writes fails this test, with the file and line."""

import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("resettlement", "api", "maps")
LIFECYCLE_MODULE = "lifecycle.py"
# An import job's, a print job's and a kept report's progress (queued, running, finished; a part's lease) is the
# job's own bookkeeping, written by the tasks that run it, not a lifecycle of the resettlement.
EXEMPT = (
    "resettlement/imports/",
    "resettlement/handover/printing.py",
    "resettlement/reports/jobs.py",
)
WRITING_METHODS = {"update", "create", "bulk_create", "get_or_create", "update_or_create"}
BULK_UPDATES = {"bulk_update", "bulk_update_with_history"}


def _names_status(node: ast.AST) -> bool:
    return isinstance(node, ast.List | ast.Tuple | ast.Set) and any(
        isinstance(item, ast.Constant) and item.value == "status" for item in node.elts
    )


def _targets(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.Assign):
        found = []
        for target in node.targets:
            found.extend(target.elts if isinstance(target, ast.Tuple) else [target])
        return found
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return [node.target]
    return []


def _writes_status(call: ast.Call, models: set[str]) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    keywords = {keyword.arg: keyword.value for keyword in call.keywords}
    return (
        ("status" in keywords and (name in WRITING_METHODS or name in models))
        or ("update_fields" in keywords and _names_status(keywords["update_fields"]))
        or (name in BULK_UPDATES and any(_names_status(arg) for arg in call.args))
        or (
            name == "setattr"
            and len(call.args) > 1
            and isinstance(call.args[1], ast.Constant)
            and call.args[1].value == "status"
        )
    )


def status_writes(tree: ast.AST, models: set[str]) -> list[int]:
    """Line numbers where this module writes a status."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if any(isinstance(t, ast.Attribute) and t.attr == "status" for t in _targets(node))
        or (isinstance(node, ast.Call) and _writes_status(node, models))
    ]


def product_modules():
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative.startswith(EXEMPT):
                continue
            yield relative, path


def test_statuses_are_written_only_inside_the_lifecycles():
    models = {model.__name__ for model in apps.get_models()}
    outside = [
        f"{relative}:{line}"
        for relative, path in product_modules()
        if path.name != LIFECYCLE_MODULE
        for line in status_writes(ast.parse(path.read_text(encoding="utf-8")), models)
    ]
    assert outside == [], "statuses written outside a lifecycle.py: " + ", ".join(outside)


def test_the_check_catches_each_way_of_writing_a_status():
    models = {"Flat"}
    samples = {
        "flat.status = 'selected'": 1,
        "entry.status, entry.desk = 'called', desk": 1,
        "Flat.objects.filter(pk=1).update(status='selected')": 1,
        "Flat(code='1-1-101', status='selected')": 1,
        "flat.save(update_fields=['status'])": 1,
        "bulk_update_with_history(flats, Flat, ['status'])": 1,
        "setattr(flat, 'status', 'selected')": 1,
        "Flat.objects.filter(status='available').count()": 0,
        "HttpResponse('gone', status=410)": 0,
        "flat.save(update_fields=['note'])": 0,
    }
    for source, expected in samples.items():
        assert len(status_writes(ast.parse(source), models)) == expected, source
