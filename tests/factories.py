"""Factories for test objects. Personal data is synthetic (resettlement.demo.people)."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from resettlement.accounts.models import Role, User
from resettlement.demo.people import PeopleFactory
from resettlement.households.models import Household, HouseholdStatus
from resettlement.households.validation import HouseholdData
from resettlement.housing.models import Building, Flat
from resettlement.progress.setup import building_create, project_create
from resettlement.projects.models import District, Project, StreetOffice, Village

PEOPLE = PeopleFactory(seed=7)


def synthetic_id_number(*, male: bool = True, born: datetime.date | None = None) -> str:
    """A checksum-valid number that belongs to nobody; adults born 1950-1999 by default, so
    a long test session never runs out of numbers for one date."""
    if born is None:
        born = PEOPLE.birth_date(min_age=25, max_age=75, today=datetime.date(2025, 1, 1))
    return PEOPLE.id_number(born=born, male=male)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["code"]

    code = "610113"
    name = "雁塔区"


class StreetOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StreetOffice
        django_get_or_create = ["code"]

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"SO{n:03d}")
    name = factory.Sequence(lambda n: f"街道{n}")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    street_office = factory.SubFactory(StreetOfficeFactory)
    code = factory.Sequence(lambda n: f"V{n:03d}")
    name = factory.Sequence(lambda n: f"测试{n}村")


def make_project(code: str = "P1", *, villages: int = 2, **rules) -> Project:
    """A project through the real service (so it has its milestone template)."""
    office = StreetOfficeFactory()
    village_objects = [VillageFactory(street_office=office) for _ in range(villages)]
    defaults = {
        "name": f"{code}项目",
        "entitlement_basis": "area",
        "price_tiers": [(Decimal(15), Decimal(4200)), (Decimal(30), Decimal(6300))],
    }
    return project_create(
        code=code, street_office=office, villages=village_objects, **{**defaults, **rules}
    )


def household_data(project: Project, **fields) -> HouseholdData:
    """A valid household record for `household_create` (one recognised person, 100 m² for
    100 m², property swap), with `fields` in place of the defaults."""
    values = {
        "agreement_no": "HT-0001",
        "village": project.villages.first(),
        "head_name": "王平",
        "head_id_number": synthetic_id_number(),
        "phone": "",
        "recognised_persons": 1,
        "original_area": Decimal(100),
        "entitled_area": Decimal(100),
        "compensation_mode": "property_swap",
        "signed_on": None,
        "elderly": False,
        "disabled": False,
        "hardship": False,
        "note": "",
    }
    return HouseholdData(**{**values, **fields})


def make_building(project: Project, code: str = "1#", **fields) -> Building:
    values = {"floors": 6, "stairwells": 2, **fields}
    return building_create(project=project, code=code, **values)


class FlatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flat

    building = None
    stairwell = 1
    floor = factory.Sequence(lambda n: n % 6 + 1)
    position = factory.Sequence(lambda n: n // 6 + 1)
    room = factory.LazyAttribute(lambda o: f"{o.floor}{o.position:02d}")
    code = factory.LazyAttribute(lambda o: f"{o.building.code.rstrip('#')}-{o.stairwell}-{o.room}")
    layout = "A"
    gross_area = Decimal("89.50")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    project = None
    village = factory.LazyAttribute(lambda o: o.project.villages.first())
    agreement_no = factory.Sequence(lambda n: f"HT-{n:05d}")
    head_name = factory.LazyFunction(lambda: PEOPLE.name(male=True))
    head_id_number = factory.LazyFunction(synthetic_id_number)
    phone = factory.LazyFunction(PEOPLE.phone)
    recognised_persons = 3
    original_area = Decimal("150.00")
    entitled_area = Decimal("150.00")
    signed_on = datetime.date(2020, 3, 1)
    status = HouseholdStatus.SIGNED


def make_user(username: str, role: Role | None, projects=()) -> User:
    user = User.objects.create_user(username=username, password="pw", display_name=username)
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    user.projects.set(projects)
    return user
