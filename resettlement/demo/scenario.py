"""What the demo shows, taken from the two Yanta street-office reports in shared/seeds.

大雁塔街道 (2025): "34栋安置楼已全部封顶，北三村主要工程全面完工，公区装修进入收尾阶段；
铁一村外墙保温、防火门安装及公区装修正加紧推进". 青龙寺组团 covers four villages: 铁炉庙一村
("铁一村") and the three northern villages 观音庙村, 铁炉庙二村 and 王家村 ("北三村").
漳浒寨街道 (2024): "二府庄村、姚家村安置楼超时序完成建设任务", selection due in 2025.
Everything personal (names, ID numbers, phones) and every figure not in the reports is invented.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

D = Decimal

DISTRICT = ("610113", "雁塔区")
STREET_OFFICES = (("YT-DYT", "大雁塔街道"), ("YT-ZHZ", "漳浒寨街道"))

# code, name, street office, kind
VILLAGES = (
    ("TLM1", "铁炉庙一村", "YT-DYT", "urban_village"),
    ("TLM2", "铁炉庙二村", "YT-DYT", "urban_village"),
    ("GYM", "观音庙村", "YT-DYT", "urban_village"),
    ("WJC", "王家村", "YT-DYT", "urban_village"),
    ("TPB", "太平堡村", "YT-DYT", "urban_village"),
    ("EFZ", "二府庄村", "YT-ZHZ", "urban_village"),
    ("YJC", "姚家村", "YT-ZHZ", "urban_village"),
    ("XYT", "西尧头村", "YT-ZHZ", "urban_village"),
    ("MQZ", "闵旗寨村", "YT-ZHZ", "urban_village"),
    ("F3507", "3507厂生活区", "YT-ZHZ", "shantytown"),
)


@dataclass(frozen=True)
class BuildingType:
    floors: int
    stairwells: int
    positions: tuple[tuple[int, str, Decimal], ...]  # position, 户型, gross area


TOWER = BuildingType(
    floors=26,
    stairwells=1,
    positions=(
        (1, "C", D("118.62")),
        (2, "B", D("96.35")),
        (3, "B", D("96.35")),
        (4, "A", D("78.40")),
    ),
)
SLAB = BuildingType(floors=19, stairwells=2, positions=((1, "B", D("98.12")), (2, "A", D("80.26"))))
MIDRISE = BuildingType(
    floors=18, stairwells=2, positions=((1, "B", D("92.47")), (2, "A", D("76.83")))
)


@dataclass(frozen=True)
class Cluster:
    """Buildings of one village laid out in a grid from a south-west corner (WGS84)."""

    village: str
    codes: range
    building_type: BuildingType
    origin: tuple[float, float]
    columns: int
    contractor: str
    stage: str  # key into STAGES


@dataclass(frozen=True)
class ProjectSpec:
    code: str
    name: str
    street_office: str
    villages: tuple[str, ...]
    description: str
    entitlement_basis: str
    per_capita_area: Decimal | None
    area_ratio: Decimal
    shortfall_refund_price: Decimal
    price_tiers: tuple[tuple[Decimal, Decimal], ...]
    clusters: tuple[Cluster, ...]
    households: int
    construction_start: datetime.date
    planned_delivery: dict[str, datetime.date]
    signed_from: datetime.date
    signed_until: datetime.date
    unsigned_share: float
    order_by_signing: bool


QINGLONGSI = ProjectSpec(
    code="QLS",
    name="青龙寺组团城改项目",
    street_office="YT-DYT",
    villages=("TLM1", "TLM2", "GYM", "WJC"),
    description="青龙寺组团四村（北三村：观音庙村、铁炉庙二村、王家村；铁一村：铁炉庙一村）保回迁安置楼34栋。",
    entitlement_basis="greater",
    per_capita_area=D("35.00"),
    area_ratio=D("0.500"),
    shortfall_refund_price=D("4200.00"),
    price_tiers=((D("15"), D("4200.00")), (D("30"), D("6300.00"))),
    clusters=(
        Cluster("GYM", range(1, 9), TOWER, (108.9795, 34.2335), 4, "长安建工集团（示例）", "north"),
        Cluster(
            "TLM2", range(9, 16), SLAB, (108.9855, 34.2338), 4, "长安建工集团（示例）", "north"
        ),
        Cluster(
            "WJC", range(16, 23), SLAB, (108.9815, 34.2290), 4, "秦川建设工程公司（示例）", "north"
        ),
        Cluster(
            "TLM1",
            range(23, 35),
            TOWER,
            (108.9890, 34.2245),
            4,
            "秦川建设工程公司（示例）",
            "tieyi",
        ),
    ),
    households=2080,
    construction_start=datetime.date(2021, 1, 18),
    planned_delivery={"north": datetime.date(2027, 6, 30), "tieyi": datetime.date(2028, 3, 31)},
    signed_from=datetime.date(2019, 6, 1),
    signed_until=datetime.date(2020, 10, 31),
    unsigned_share=0.03,
    order_by_signing=False,
)

ZHANGHUZHAI = ProjectSpec(
    code="ZHZ",
    name="漳浒片区城市更新项目",
    street_office="YT-ZHZ",
    villages=("EFZ", "YJC"),
    description="二府庄村、姚家村安置楼超时序完成建设任务，按签约顺序回迁选房。",
    entitlement_basis="area",
    per_capita_area=None,
    area_ratio=D("1.000"),
    shortfall_refund_price=D("3800.00"),
    price_tiers=((D("10"), D("3800.00")), (D("20"), D("5700.00"))),
    clusters=(
        Cluster(
            "EFZ", range(1, 5), MIDRISE, (108.9265, 34.1885), 2, "漳浒建设有限公司（示例）", "done"
        ),
        Cluster(
            "YJC", range(5, 9), MIDRISE, (108.9330, 34.1830), 2, "漳浒建设有限公司（示例）", "done"
        ),
    ),
    households=380,
    construction_start=datetime.date(2020, 9, 1),
    planned_delivery={"done": datetime.date(2027, 1, 31)},
    signed_from=datetime.date(2019, 3, 1),
    signed_until=datetime.date(2019, 12, 31),
    unsigned_share=0.0,
    order_by_signing=True,
)

PROJECTS = (QINGLONGSI, ZHANGHUZHAI)

_MAIN_WORKS = (
    "start",
    "foundation",
    "superstructure",
    "topping_out",
    "structure_acceptance",
    "secondary_structure",
    "roofing",
    "facade_insulation",
    "doors_windows",
    "mep_elevators",
)


@dataclass(frozen=True)
class Stage:
    """Where a cluster stands today: percent ranges by milestone code (absent codes are 0),
    when the first open node was planned to finish (days from today; negative = overdue),
    and whether work ran ahead of the plan."""

    percents: dict[str, tuple[int, int]]
    current_finish_in_days: int
    ahead_of_plan: bool = False


STAGES: dict[str, Stage] = {
    # 北三村: main works complete, public-area fit-out finishing (a little late), utilities next.
    "north": Stage(
        percents={
            **dict.fromkeys(_MAIN_WORKS, (100, 100)),
            "public_area_fitout": (85, 96),
            "utility_connections": (30, 60),
        },
        current_finish_in_days=-40,
    ),
    # 铁一村: topped out; insulation, fire doors and public areas in progress together.
    "tieyi": Stage(
        percents={
            **dict.fromkeys(_MAIN_WORKS[:7], (100, 100)),
            "facade_insulation": (40, 75),
            "doors_windows": (25, 60),
            "public_area_fitout": (10, 35),
        },
        current_finish_in_days=75,
    ),
    # 漳浒: built ahead of schedule (超时序), accepted and surveyed; only delivery remains.
    "done": Stage(
        percents=dict.fromkeys(
            (
                *_MAIN_WORKS,
                "public_area_fitout",
                "utility_connections",
                "landscaping_roads",
                "unit_inspection",
                "special_acceptance",
                "completion_acceptance",
                "completion_filing",
                "area_survey",
            ),
            (100, 100),
        ),
        current_finish_in_days=69,
        ahead_of_plan=True,
    ),
}

DEMO_PASSWORD = "yanta-demo-2026"  # noqa: S105 (published on purpose; load_demo refuses production)
# username, full name, role, project codes (empty: every project by role)
USERS = (
    ("admin", "系统管理员", "管理员", ()),
    ("qls_team", "青龙寺项目组", "项目组", ("QLS",)),
    ("zhz_team", "漳浒项目组", "项目组", ("ZHZ",)),
    ("lead", "工程主管", "项目主管", ("QLS", "ZHZ")),
    ("clerk", "选房工作人员", "选房工作人员", ("QLS", "ZHZ")),
    ("supervisor", "选房主管", "选房主管", ("QLS", "ZHZ")),
    ("leader", "区领导", "领导", ()),
)
