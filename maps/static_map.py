"""A still map of a project for printed reports: the same phase colours, marks and legend as
the interactive map, with Chinese labels (geopandas + matplotlib, no pyplot global state)."""

import io

import geopandas
from django.utils import timezone
from django.utils.translation import gettext as _
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from shapely.geometry import Point, shape

from maps.palette import PHASE_STYLES
from resettlement.fonts import CJK_FAMILY, cjk_font_path
from resettlement.housing.models import Building, Phase
from resettlement.projects.models import Project

LABEL_LIMIT = 400  # building codes are written on the map up to this many buildings


def chart_font_family() -> list[str]:
    """matplotlib's font family list with the CJK font first (registered on first use)."""
    path = cjk_font_path()
    if path is not None and CJK_FAMILY not in {
        font.name for font in font_manager.fontManager.ttflist
    }:
        font_manager.fontManager.addfont(str(path))
    return [CJK_FAMILY, "DejaVu Sans"]


def project_map_png(
    project: Project,
    *,
    width_inches: float = 11.0,
    dpi: int = 150,
    phases: dict[int, str] | None = None,
    as_of=None,
) -> bytes:
    """The project's buildings coloured by phase (today's, or `phases`: building id → phase,
    as a report of a past day has them), its villages outlined, dated today or `as_of`."""
    rows = list(
        Building.objects.for_project(project)
        .with_phase()
        .values("pk", "code", "phase", "footprint", "longitude", "latitude")
    )
    if phases is not None:
        rows = [{**row, "phase": phases[row["pk"]]} for row in rows if row["pk"] in phases]
    buildings = geopandas.GeoDataFrame(
        {
            "code": [row["code"] for row in rows],
            "phase": [row["phase"] for row in rows],
        },
        geometry=[_geometry(row) for row in rows],
        crs="EPSG:4326",
    ).dropna(subset=["geometry"])
    villages = geopandas.GeoDataFrame(
        {"name": [village.name for village in project.villages.exclude(boundary=None)]},
        geometry=[shape(v.boundary) for v in project.villages.exclude(boundary=None)],
        crs="EPSG:4326",
    )
    family = chart_font_family()
    figure = Figure(figsize=(width_inches, width_inches * 0.75), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    figure.subplots_adjust(left=0.02, right=0.98, top=0.93, bottom=0.02)
    axes.set_axis_off()
    title = _("%(project)s · construction progress · %(date)s") % {
        "project": project.name,
        "date": (as_of or timezone.localdate()).isoformat(),
    }
    axes.set_title(title, fontfamily=family, fontsize=14)
    if buildings.empty and villages.empty:
        axes.text(
            0.5, 0.5, _("No geometry recorded for this project."), ha="center", fontfamily=family
        )
        return _png(figure)
    crs = (buildings if not buildings.empty else villages).estimate_utm_crs()
    if not villages.empty:
        local = villages.to_crs(crs)
        local.plot(ax=axes, facecolor="#f4f6f8", edgecolor="#2b3a4a", linewidth=1.2, linestyle="--")
        for name, bounds in zip(local["name"], local.geometry.bounds.itertuples(), strict=True):
            axes.annotate(
                name,
                (bounds.minx, bounds.maxy),
                xytext=(2, 4),
                textcoords="offset points",
                fontsize=10,
                color="#2b3a4a",
                fontfamily=family,
            )
    if not buildings.empty:
        local = buildings.to_crs(crs)
        colours = [PHASE_STYLES[Phase(phase)].colour for phase in local["phase"]]
        local.plot(ax=axes, color=colours, edgecolor="#1f2933", linewidth=0.6, markersize=40)
        if len(local) <= LABEL_LIMIT:
            for code, phase, point in zip(
                local["code"], local["phase"], local.geometry.centroid, strict=True
            ):
                label = f"{PHASE_STYLES[Phase(phase)].mark}{code}"
                axes.annotate(
                    label,
                    (point.x, point.y),
                    ha="center",
                    va="center",
                    fontsize=6,
                    fontfamily=family,
                )
    present = set(buildings["phase"])
    handles = [
        Patch(facecolor=style.colour, edgecolor="#1f2933", label=f"{style.mark} {style.label}")
        for style in PHASE_STYLES.values()
        if style.phase.value in present
    ]
    if handles:
        axes.legend(
            handles=handles,
            loc="lower right",
            prop={"family": family, "size": 9},
            title=_("Phase"),
            title_fontproperties={"family": family},
        )
    _scale_bar(axes, family)
    return _png(figure)


def _geometry(row):
    if row["footprint"]:
        return shape(row["footprint"])
    if row["longitude"] is not None and row["latitude"] is not None:
        return Point(float(row["longitude"]), float(row["latitude"]))
    return None


def _scale_bar(axes, family) -> None:
    """A 100 / 200 / 500 m bar (the axes are in metres: a UTM zone)."""
    x_min, x_max = axes.get_xlim()
    y_min, y_max = axes.get_ylim()
    span = x_max - x_min
    length = next((metres for metres in (50, 100, 200, 500, 1000, 2000) if metres > span / 8), 5000)
    x0, y0 = x_min + span * 0.04, y_min + (y_max - y_min) * 0.04
    axes.plot([x0, x0 + length], [y0, y0], color="#1f2933", linewidth=3)
    axes.annotate(
        f"{length} m",
        (x0 + length / 2, y0),
        xytext=(0, 4),
        textcoords="offset points",
        ha="center",
        fontsize=8,
        fontfamily=family,
    )


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")  # a fixed size, for a predictable report layout
    return buffer.getvalue()
