"""The progress report as a PDF (回迁安置工作进展报告, through resettlement.documents): the 要点,
the headline figures beside the week before, then per project its charts, its map as it stood
on the report's day, its villages, buildings and late milestones, and the definitions."""

import base64

from maps.static_map import project_map_png
from resettlement.documents import render_pdf
from resettlement.projects.models import Project
from resettlement.reports.charts import households_by_month_png, progress_curve_png
from resettlement.reports.figures import COMPARED_DAYS, ProgressFigures
from resettlement.reports.highlights import highlights
from resettlement.reports.workbook import headline

TEMPLATE = "documents/progress_report.html"


def _data_uri(png: bytes | None) -> str:
    return f"data:image/png;base64,{base64.b64encode(png).decode()}" if png else ""


def progress_pdf(figures: ProgressFigures, *, scope: str) -> bytes:
    projects = {
        project.code: project
        for project in Project.objects.filter(
            code__in=[project.code for project in figures.projects]
        )
    }
    sections = []
    for project in figures.projects:
        phases = {row.id: row.phase for row in project.buildings}
        map_png = project_map_png(
            projects[project.code], width_inches=7.0, dpi=150, phases=phases, as_of=figures.as_of
        )
        sections.append(
            {
                "figures": project,
                "headline": headline(project),
                "curve": _data_uri(progress_curve_png(project)),
                "months": _data_uri(households_by_month_png(project)),
                "map": _data_uri(map_png),
            }
        )
    context = {
        "figures": figures,
        "scope": scope,
        "highlights": highlights(figures),
        "sections": sections,
        "compared_days": COMPARED_DAYS,
    }
    return render_pdf(TEMPLATE, context)
