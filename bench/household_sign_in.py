"""A household's sign-in at /my/ must not tell which agreement numbers exist: a wrong agreement
number and a right agreement number with a wrong ID suffix get the same answer (tested in
tests/test_household_status.py) after the same work. This measures the time of each answer,
in-process through Django's test client, alternating the two kinds in rounds so that a busier
moment weighs on both: the medians may differ by less than TARGET_DIFFERENCE_PERCENT of their
mean (the noise of one request is larger). Each failure writes its row to the sign-in log; the
log lines themselves are silenced, as a production log level would keep them out of a
terminal. The throttle is lifted (SIGN_IN_FAILURES very high) and each attempt comes from its
own address, so every attempt is answered as a failure, not a lockout.

A project with HOUSEHOLDS households (an access code asked too, as the strictest project has
it). SQLite by default (a fresh file); give DATABASE_URL for another database, or `postgres`
for a fresh PostgreSQL database that is dropped afterwards.
Run: .venv/bin/python bench/household_sign_in.py [DATABASE_URL | postgres]
"""

import statistics
import sys
import time

from common import environment, fresh_sqlite, migrate, report, setup_django
from postgres import temporary_database

HOUSEHOLDS = 2_000
ROUNDS, PER_ROUND = 5, 100
TARGET_DIFFERENCE_PERCENT = 5.0


def seed():
    import datetime
    from decimal import Decimal

    from resettlement.demo.people import PeopleFactory
    from resettlement.households.models import Household
    from resettlement.households.services import households_create
    from resettlement.households.validation import HouseholdData
    from resettlement.progress.setup import project_create
    from resettlement.projects.models import District, StreetOffice, Village

    district = District.objects.create(code="610113", name="雁塔区")
    office = StreetOffice.objects.create(district=district, code="SIGN", name="基准街道")
    village = Village.objects.create(street_office=office, code="SV1", name="基准村")
    project = project_create(
        code="SIGN", name="查询测试项目", street_office=office, villages=[village]
    )
    project.household_access_codes = True
    project.save()
    people = PeopleFactory(seed=5)
    today = datetime.date(2026, 1, 1)
    households_create(
        project=project,
        records=[
            HouseholdData(
                agreement_no=f"SIGN-{number:05d}",
                village=village,
                head_name=people.name(male=True),
                head_id_number=people.id_number(
                    born=people.birth_date(min_age=30, max_age=80, today=today), male=True
                ),
                phone="",
                recognised_persons=1,
                original_area=Decimal(100),
                entitled_area=Decimal(100),
                compensation_mode="property_swap",
                signed_on=datetime.date(2020, 1, 1),
                elderly=False,
                disabled=False,
                hardship=False,
                note="",
            )
            for number in range(HOUSEHOLDS)
        ],
    )
    return Household.objects.filter(project=project).order_by("pk")[HOUSEHOLDS // 2]


def main(database_url: str) -> bool:
    env = environment(database_url)
    migrate(env)
    setup_django(env)
    import logging

    from django.test import Client, override_settings

    household = seed()
    logging.disable(logging.WARNING)
    suffix = household.head_id_number[-6:]
    wrong = "00000X" if suffix != "00000X" else "000000"
    cases = {
        "unknown agreement number": {"agreement_no": "SIGN-99999", "id_suffix": suffix},
        "wrong ID suffix": {"agreement_no": household.agreement_no, "id_suffix": wrong},
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    address = 0
    with override_settings(SIGN_IN_FAILURES=10**9):
        for _round in range(ROUNDS):
            for name, data in cases.items():
                for _ in range(PER_ROUND):
                    address += 1
                    octets = (address // 65536 % 256, address // 256 % 256, address % 256)
                    client = Client(REMOTE_ADDR="10.{}.{}.{}".format(*octets))
                    posted = {"project": "SIGN", "access_code": "ABCD-EFGH", **data}
                    started = time.perf_counter()
                    response = client.post("/my/", posted)
                    times[name].append(time.perf_counter() - started)
                    assert response.status_code == 400, response.status_code
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    for name, median in medians.items():
        print(f"  {name}: median {median:.2f} ms (n={len(times[name])})")
    values = list(medians.values())
    difference = abs(values[0] - values[1]) / statistics.mean(values) * 100
    return report("difference of the medians", difference, "%", TARGET_DIFFERENCE_PERCENT)


if __name__ == "__main__":
    argument = sys.argv[1] if len(sys.argv) > 1 else None
    if argument == "postgres":
        with temporary_database("sign_in") as url:
            met = main(url)
    else:
        met = main(argument or fresh_sqlite())
    sys.exit(0 if met else 1)
