"""The report's charts (matplotlib, no pyplot global state, the CJK font): planned against
actual progress month by month (the S-curve), and households that chose their flats and were
handed their keys each month. PNG at print resolution."""

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from maps.static_map import chart_font_family
from resettlement.reports.figures import ProjectFigures

DPI = 200
PLANNED = "#8a98a8"
ACTUAL = "#1f6feb"
SELECTED = "#2f9e44"
HANDED = "#e8590c"


def _figure():
    figure = Figure(figsize=(7.0, 2.8), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    figure.subplots_adjust(left=0.08, right=0.98, top=0.86, bottom=0.2)
    return figure, axes


def _png(figure) -> bytes:
    content = io.BytesIO()
    figure.savefig(content, format="png", dpi=DPI)
    return content.getvalue()


def progress_curve_png(project: ProjectFigures) -> bytes | None:
    """Planned and actual progress (%) at each month's end; None without dated nodes."""
    if not project.curve:
        return None
    family = chart_font_family()
    figure, axes = _figure()
    months = [point.month for point in project.curve]
    axes.plot(
        months,
        [float(point.planned) for point in project.curve],
        color=PLANNED,
        linewidth=1.6,
        linestyle="--",
        label="计划",
    )
    actual = [
        (point.month, float(point.actual)) for point in project.curve if point.actual is not None
    ]
    if actual:
        axes.plot(
            [month for month, _value in actual],
            [value for _month, value in actual],
            color=ACTUAL,
            linewidth=2.2,
            label="实际",
        )
    axes.set_ylim(0, 100)
    axes.set_ylabel("形象进度（%）", fontfamily=family, fontsize=8)
    axes.set_title(f"{project.name} 计划与实际形象进度", fontfamily=family, fontsize=10)
    axes.legend(prop={"family": family, "size": 8}, loc="upper left")
    axes.grid(alpha=0.3)
    axes.tick_params(labelsize=7)
    figure.autofmt_xdate()
    return _png(figure)


def households_by_month_png(project: ProjectFigures) -> bytes | None:
    """Households that chose their flats, and that were handed over, each month."""
    if not project.months:
        return None
    family = chart_font_family()
    figure, axes = _figure()
    labels = [f"{count.month:%Y-%m}" for count in project.months]
    positions = range(len(labels))
    width = 0.4
    axes.bar(
        [p - width / 2 for p in positions],
        [c.selected for c in project.months],
        width,
        color=SELECTED,
        label="选房",
    )
    axes.bar(
        [p + width / 2 for p in positions],
        [c.handed_over for c in project.months],
        width,
        color=HANDED,
        label="交房",
    )
    axes.set_xticks(list(positions), labels, fontsize=7, rotation=45, ha="right")
    axes.set_ylabel("户数", fontfamily=family, fontsize=8)
    axes.set_title(f"{project.name} 每月选房与交房户数", fontfamily=family, fontsize=10)
    axes.legend(prop={"family": family, "size": 8})
    axes.grid(alpha=0.3, axis="y")
    axes.tick_params(labelsize=7)
    return _png(figure)
