"""Synthetic registers and households for the benchmarks (resettlement.demo.people)."""

import datetime
import io
import random

from openpyxl import Workbook

from resettlement.demo.people import PeopleFactory

HEADER = [
    "协议编号",
    "村",
    "户主姓名",
    "户主身份证号",
    "联系电话",
    "安置人口",
    "被征收面积",
    "应安置面积",
    "补偿方式",
    "签约日期",
    "老人户",
    "残疾户",
]
MEMBER_HEADER = ["协议编号", "姓名", "与户主关系", "身份证号", "是否认定安置人口"]


def household_register_rows(
    rows: int, villages: list[str], *, members_per_household: int = 2, seed: int = 11
) -> tuple[list[list], list[list]]:
    """The rows of a register's household sheet (a title row, the header, `rows` households)
    and of its members sheet (the header, the members)."""
    people = PeopleFactory(seed=seed)
    rng = random.Random(seed)
    today = datetime.date(2026, 1, 1)
    households = [["基准测试回迁户花名册"], HEADER]
    members = [MEMBER_HEADER]
    for number in range(1, rows + 1):
        agreement = f"BENCH-{number:06d}"
        head_born = people.birth_date(min_age=30, max_age=85, today=today)
        households.append(
            [
                agreement,
                villages[number % len(villages)],
                people.name(male=True),
                people.id_number(born=head_born, male=True),
                people.phone() if number <= 9999 else "",
                1 + members_per_household,
                round(rng.uniform(60, 400), 2),
                None,
                "产权调换",
                f"2020-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "是" if today.year - head_born.year >= 70 else "否",
                "否",
            ]
        )
        for index in range(members_per_household):
            born = people.birth_date(min_age=1, max_age=80, today=today)
            relation = "配偶" if index == 0 else "子女"
            members.append(
                [
                    agreement,
                    people.name(male=index % 2 == 1),
                    relation,
                    people.id_number(born=born, male=index % 2 == 1),
                    "是",
                ]
            )
    return households, members


def household_workbook(
    rows: int, villages: list[str], *, members_per_household: int = 2, seed: int = 11
) -> bytes:
    """A register with a merged title row, `rows` households and their members; ID and phone
    columns as text, as the template sets them."""
    households, members = household_register_rows(
        rows, villages, members_per_household=members_per_household, seed=seed
    )
    workbook = Workbook(write_only=True)
    for title, sheet_rows in (("住户", households), ("家庭成员", members)):
        sheet = workbook.create_sheet(title)
        for row in sheet_rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
