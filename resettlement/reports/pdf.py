"""The progress report as a PDF (回迁安置工作进展报告, through resettlement.documents): the 要点,
the headline figures beside the week before, then per project its charts, its map as it stood
on the report's day, its villages, buildings and late milestones, and the definitions."""

import base64

from maps.static_map import project_map_png
from resettlement.documents import render_pdf
from resettlement.housing.models import Phase
from resettlement.projects.models import Project
from resettlement.reports.charts import households_by_month_png, progress_curve_png
from resettlement.reports.figures import COMPARED_DAYS, ProgressFigures, Tally
from resettlement.reports.highlights import highlights
from resettlement.reports.workbook import FLAT_TITLES, HOUSEHOLD_TITLES

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
        headline: list[tuple[str, Tally]] = [
            *(
                (f"回迁户 {title}", project.households[status])
                for status, title in HOUSEHOLD_TITLES.items()
            ),
            ("回迁户 已选房（含后续环节）", project.selected),
            ("回迁户 已交房（含已办证）", project.handed_over),
            *((f"房源 {title}", project.flats[status]) for status, title in FLAT_TITLES.items()),
            *(
                (f"安置楼 {phase.label}", project.stages[phase.value])
                for phase in Phase
                if phase.value in project.stages
            ),
            ("安置楼 已封顶", project.topped_out),
            ("安置楼 已竣工验收", project.accepted),
            ("选房日 已举行", project.selection.days_held),
            ("选房 已选房户数", project.selection.served),
            ("选房 过号户次", project.selection.absences),
        ]
        phases = {row.id: row.phase for row in project.buildings}
        map_png = project_map_png(
            projects[project.code], width_inches=7.0, dpi=150, phases=phases, as_of=figures.as_of
        )
        sections.append(
            {
                "figures": project,
                "headline": headline,
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
