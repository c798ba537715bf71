"""The progress report as an Excel workbook (openpyxl): one sheet per subject (概览, 项目, 村,
楼栋, 节点滞后, 选房, 交房) and a 说明 sheet with the date, the scope and the definitions.
Headers are frozen, numbers and dates are real numbers and dates (never text), columns are
sized to their content. No personal data: the figures are counts, codes and node names.

The sheet and column titles are the printed report's, in Chinese whatever the reader's
language (a workbook is passed on to others as it is).
"""

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from resettlement.households.models import HouseholdStatus
from resettlement.housing.models import FlatStatus, Phase
from resettlement.reports.figures import COMPARED_DAYS, ProgressFigures, ProjectFigures, Tally
from resettlement.spreadsheets import write_cell

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.00"
SIGNED_FORMAT = "+0;-0;0"

HOUSEHOLD_TITLES = {
    HouseholdStatus.REGISTERED: "已登记未签约",
    HouseholdStatus.SIGNED: "已签约",
    HouseholdStatus.ORDERED: "已定序",
    HouseholdStatus.ALLOCATED: "已选房",
    HouseholdStatus.NOTIFIED: "已通知交房",
    HouseholdStatus.HANDED_OVER: "已交房",
    HouseholdStatus.CERTIFIED: "已办证",
}
FLAT_TITLES = {
    FlatStatus.AVAILABLE: "可选",
    FlatStatus.RESERVED: "锁定中",
    FlatStatus.SELECTED: "已选未交付",
    FlatStatus.HANDED_OVER: "已交付",
}


def progress_workbook(figures: ProgressFigures, *, scope: str) -> bytes:
    """The workbook's bytes (.xlsx) for these figures; `scope` names the projects covered."""
    book = Workbook()
    for sheet in list(book.worksheets):  # the default empty sheet
        book.remove(sheet)
    _overview(book, figures)
    _projects(book, figures)
    _villages(book, figures)
    _buildings(book, figures)
    _late(book, figures)
    _selection(book, figures)
    _handover(book, figures)
    _notes(book, figures, scope)
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


def _sheet(
    book, title: str, headers: Sequence[str], rows: Iterable[Sequence[object]], formats=None
):
    """A sheet with a frozen header row, typed cells, and columns as wide as their content."""
    sheet = book.create_sheet(title)
    formats = formats or {}
    widths = [_width(header) for header in headers]
    for column, header in enumerate(headers, start=1):
        cell = write_cell(sheet, row=1, column=column, value=header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = write_cell(sheet, row=row_number, column=column, value=value)
            if isinstance(value, datetime.date):
                cell.number_format = DATE_FORMAT
            elif column in formats:
                cell.number_format = formats[column]
            widths[column - 1] = max(widths[column - 1], _width(value))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, 60)
    sheet.freeze_panes = "A2"
    return sheet


def _width(value: object) -> int:
    """Display width: CJK characters count twice."""
    if value is None:
        return 0
    if isinstance(value, datetime.date):
        return 10
    text = str(value)
    return sum(2 if ord(character) > 0x2E80 else 1 for character in text)


def _tally_row(label: str, tally: Tally) -> list[object]:
    return [label, tally.now, tally.before, tally.change]


def headline(project: ProjectFigures) -> list[tuple[str, Tally]]:
    """The project's headline figures, labelled as the report prints them (the PDF's table and
    the 概览 sheet)."""
    return [
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


def _overview(book, figures: ProgressFigures) -> None:
    rows: list[list[object]] = []
    for project in figures.projects:
        prefix = f"{project.name} · "
        rows.extend(_tally_row(prefix + label, tally) for label, tally in headline(project))
        rows.append([prefix + "节点滞后 个数", len(project.late), None, None])
    headers = ["指标", f"{figures.as_of:%Y-%m-%d}", f"{figures.compared_with:%Y-%m-%d}", "变化"]
    _sheet(book, "概览", headers, rows, formats={4: SIGNED_FORMAT})


def _projects(book, figures: ProgressFigures) -> None:
    headers = [
        "项目编号",
        "项目",
        "回迁户",
        *HOUSEHOLD_TITLES.values(),
        "房源",
        *FLAT_TITLES.values(),
        "安置楼",
        "已封顶",
        "已竣工验收",
        "滞后节点",
    ]
    rows = [
        [
            project.code,
            project.name,
            project.household_total,
            *(project.households[status].now for status in HOUSEHOLD_TITLES),
            sum(tally.now for tally in project.flats.values()),
            *(project.flats[status].now for status in FLAT_TITLES),
            len(project.buildings),
            project.topped_out.now,
            project.accepted.now,
            len(project.late),
        ]
        for project in figures.projects
    ]
    _sheet(book, "项目", headers, rows)


def _villages(book, figures: ProgressFigures) -> None:
    headers = [
        "项目",
        "村（组团）",
        "回迁户",
        "已选房",
        "已交房",
        "安置楼",
        "已封顶",
        "已竣工验收",
        "在施节点",
    ]
    rows = [
        [
            project.name,
            village.name or "（未指定）",
            village.household_total,
            village.selected.now,
            village.handed_over.now,
            village.buildings,
            village.topped_out,
            village.accepted,
            "、".join(village.in_progress),
        ]
        for project in figures.projects
        for village in project.villages
    ]
    _sheet(book, "村", headers, rows)


def _buildings(book, figures: ProgressFigures) -> None:
    headers = [
        "项目",
        "村（组团）",
        "楼栋",
        "阶段",
        "形象进度（%）",
        "下一节点",
        "计划完成",
        "滞后天数",
        "已封顶",
        "已竣工验收",
        "房源",
        "已选",
        "已交付",
    ]
    rows = [
        [
            project.name,
            row.village,
            row.code,
            row.phase_label,
            Decimal(row.progress),
            row.next_node or "全部完成",
            row.next_planned,
            row.days_late,
            "是" if row.topped_out else "否",
            "是" if row.accepted else "否",
            row.flats,
            row.flats_selected,
            row.flats_handed_over,
        ]
        for project in figures.projects
        for row in project.buildings
    ]
    _sheet(book, "楼栋", headers, rows, formats={5: PERCENT_FORMAT})


def _late(book, figures: ProgressFigures) -> None:
    headers = ["项目", "楼栋", "节点", "计划完成", "滞后天数"]
    rows = [
        [project.name, late.building, late.node, late.planned_finish, late.days_late]
        for project in figures.projects
        for late in project.late
    ]
    _sheet(book, "节点滞后", headers, rows)


def _selection(book, figures: ProgressFigures) -> None:
    headers = [
        "项目",
        "选房日（已举行）",
        "已选房户数",
        "过号失去顺序户数",
        "过号户次",
        "本周新增选房户数",
    ]
    rows = [
        [
            project.name,
            project.selection.days_held.now,
            project.selection.served.now,
            project.selection.skipped.now,
            project.selection.absences.now,
            project.selection.served.change,
        ]
        for project in figures.projects
    ]
    _sheet(book, "选房", headers, rows, formats={6: SIGNED_FORMAT})


def _handover(book, figures: ProgressFigures) -> None:
    headers = ["项目", "楼栋", "已竣工验收", "已选房源", "已交付", "待交付", "本周新增交付套数"]
    rows = []
    for project in figures.projects:
        for row in project.buildings:
            rows.append(
                [
                    project.name,
                    row.code,
                    "是" if row.accepted else "否",
                    row.flats_selected,
                    row.flats_handed_over,
                    row.flats_selected - row.flats_handed_over,
                    row.flats_handed_over_change,
                ]
            )
        rows.append(
            [
                project.name,
                "合计",
                project.accepted.now,
                sum(row.flats_selected for row in project.buildings),
                sum(row.flats_handed_over for row in project.buildings),
                sum(row.flats_selected - row.flats_handed_over for row in project.buildings),
                sum(row.flats_handed_over_change for row in project.buildings),
            ]
        )
    _sheet(book, "交房", headers, rows, formats={7: SIGNED_FORMAT})


def _notes(book, figures: ProgressFigures, scope: str) -> None:
    rows: list[list[object]] = [
        ["报告日期", figures.as_of],
        ["对比日期", figures.compared_with],
        ["范围", scope],
        [
            "数据口径",
            "各项数字为报告日期当日（北京时间）结束时的状态，取自系统变更历史；"
            "报告日期之后的修改不影响本报告。",
        ],
        ["变化", f"与 {COMPARED_DAYS} 天前（对比日期）同一口径相比的增减。"],
        [
            "回迁户状态",
            "已登记未签约 → 已签约 → 已定序 → 已选房 → 已通知交房 → 已交房 → 已办证；"
            "每户只计入其当时所处的一个状态。",
        ],
        ["已选房（含后续环节）", "已选房、已通知交房、已交房、已办证的户数之和。"],
        ["形象进度", "按项目节点模板权重计算的各节点完成百分比的加权平均。"],
        ["阶段", "第一个未完成节点所属的阶段；全部节点完成为已交付，尚无进度为未开工。"],
        ["滞后天数", "未完成且已过计划完成日期的节点，至报告日期超出的天数；楼栋取其最大值。"],
        ["过号户次", "选房日叫号时未到场的次数之和。"],
        ["个人信息", "本工作簿只含统计数字、编号与节点名称，不含身份证号、电话等个人信息。"],
    ]
    sheet = _sheet(book, "说明", ["项目", "内容"], rows)
    sheet.column_dimensions["B"].width = 90
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
