"""The report's 要点: sentences in the style of the street offices' work reports, each made
from a figure that the report's tables show ("34栋安置楼已全部封顶", "铁一村：外墙保温、防火门安装、
公区装修进行中", "青龙寺组团已选房 1,234 户，占 61.2%"). Printed in Chinese whatever the reader's
language, as the report is."""

from resettlement.reports.figures import ProgressFigures, ProjectFigures

MOST_LATE_NAMED = 3


def highlights(figures: ProgressFigures) -> list[str]:
    sentences: list[str] = []
    for project in figures.projects:
        sentences.extend(project_highlights(project))
    return sentences


def project_highlights(project: ProjectFigures) -> list[str]:
    name = project.name
    sentences = []
    total = len(project.buildings)
    if total:
        topped = project.topped_out.now
        new = _weekly(project.topped_out.change, "栋")
        if topped == total:
            sentences.append(f"{name}：{total}栋安置楼已全部封顶{new}")
        else:
            sentences.append(f"{name}：{total}栋安置楼中已封顶{topped}栋{new}")
        if project.accepted.now:
            sentences.append(
                f"{name}：{project.accepted.now}栋完成竣工验收"
                f"{_weekly(project.accepted.change, '栋')}"
            )
    for village in project.villages:
        if village.in_progress and village.name:
            sentences.append(f"{village.name}：{'、'.join(village.in_progress)}进行中")
    households = project.household_total
    if households:
        selected = project.selected
        if selected.now == households:
            sentences.append(f"{name}全面完成选房工作，共{households:,}户")
        elif selected.now:
            share = selected.now / households * 100
            sentences.append(
                f"{name}已选房 {selected.now:,} 户，占 {share:.1f}%{_weekly(selected.change, '户')}"
            )
        handed = project.handed_over
        if handed.now:
            share = handed.now / households * 100
            sentences.append(
                f"{name}已交房 {handed.now:,} 户，占 {share:.1f}%{_weekly(handed.change, '户')}"
            )
    if project.late:
        worst = project.late[:MOST_LATE_NAMED]
        named = "；".join(f"{late.building} {late.node} 滞后{late.days_late}天" for late in worst)
        sentences.append(f"{name}：{len(project.late)}个节点滞后（{named}）")
    return sentences


def _weekly(change: int, unit: str) -> str:
    return f"（本周新增{change}{unit}）" if change > 0 else ""
