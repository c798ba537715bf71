"""ID numbers at rest: encrypted in the households' and members' tables and in their history,
found by their keyed hash (uniqueness) and their ending (search, a household's sign-in), never
by the number itself; re-encrypted under a new key by `rotate_id_number_keys`; and the data
migration that encrypts a database of plain numbers (and decrypts it going back) keeps every
number and every search."""

import base64
import hashlib

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from resettlement.households.models import Household, Member
from resettlement.households.services import household_create
from resettlement.id_encryption import decrypt, id_hash
from tests.factories import HouseholdFactory, household_data, synthetic_id_number

pytestmark = pytest.mark.django_db


def stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def new_key() -> str:
    return Fernet.generate_key().decode()


def test_numbers_are_stored_encrypted_in_the_tables_and_their_history(world):
    number = synthetic_id_number()
    household = household_create(
        project=world.project_a, data=household_data(world.project_a, head_id_number=number)
    )
    raw = stored("households_household", "head_id_number", household.pk)
    assert raw.startswith("v1:") and number not in raw and number[-6:] not in raw[3:]
    assert decrypt(raw) == number
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT head_id_number, head_id_tail FROM households_historicalhousehold WHERE id = %s",
            [household.pk],
        )
        (history_value, tail), *_ = cursor.fetchall()
    assert history_value.startswith("v1:") and number not in history_value
    assert tail == number[-6:]
    assert Household.objects.get(pk=household.pk).head_id_number == number
    read = Household.objects.filter(pk=household.pk).values_list("head_id_number", flat=True)
    assert list(read) == [number]


def test_a_lookup_by_the_number_itself_is_refused_and_one_by_its_hash_works(world):
    household = world.household_a
    with pytest.raises(TypeError, match="encrypted"):
        list(Household.objects.filter(head_id_number=household.head_id_number))
    found = Household.objects.get(head_id_hash=id_hash(household.head_id_number.lower()))
    assert found == household


def test_a_heads_id_number_is_unique_in_a_project_by_its_hash(world):
    number = world.household_a.head_id_number
    HouseholdFactory(project=world.project_b, head_id_number=number)  # another project: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdFactory(project=world.project_a, head_id_number=number)


def test_a_changed_number_changes_its_hash_and_ending_whichever_way_it_is_saved(world):
    household = world.household_a
    number = synthetic_id_number(male=False)
    household.head_id_number = number
    household.save(update_fields=["head_id_number"])
    household.refresh_from_db()
    assert (household.head_id_hash, household.head_id_tail) == (id_hash(number), number[-6:])
    member = Member.objects.create(household=household, name="王芳", relation="spouse")
    assert (member.id_hash, member.id_tail) == ("", "")
    member.id_number = synthetic_id_number(male=False)
    Member.objects.bulk_update([member], ["id_number", "id_hash", "id_tail"])  # as rotation does
    member.save()
    member.refresh_from_db()
    assert member.id_tail == member.id_number[-6:]


def test_the_search_by_id_ending_finds_heads_and_members(world, login):
    household = world.household_a
    member_number = synthetic_id_number(male=False)
    Member.objects.create(
        household=household, name="王芳", relation="spouse", id_number=member_number
    )
    assert list(Household.objects.with_id_ending(household.head_id_number[-4:])) == [household]
    assert list(Household.objects.with_id_ending(member_number[-6:])) == [household]
    page = login("supervisor").get(f"/households/?id_digits={member_number[-6:]}")
    assert household.agreement_no in page.content.decode()


def test_rotation_re_encrypts_every_number_under_the_new_key(world, settings):
    household = world.household_a
    number = household.head_id_number
    Member.objects.create(
        household=household, name="王芳", relation="spouse", id_number=synthetic_id_number()
    )
    old = settings.ID_NUMBER_KEYS[0]
    new = new_key()
    settings.ID_NUMBER_KEYS = [new, old]
    settings.ID_HASH_KEY = "a-new-hash-key"
    call_command("rotate_id_number_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.ID_NUMBER_KEYS = [new]  # the old key removed: everything still reads
    household = Household.objects.get(pk=household.pk)
    assert household.head_id_number == number
    assert household.head_id_hash == id_hash(number)
    raw = stored("households_household", "head_id_number", household.pk)
    assert Fernet(new.encode()).decrypt(raw[3:].encode()).decode() == number
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM households_historicalmember")
        for (value,) in cursor.fetchall():
            Fernet(new.encode()).decrypt(value[3:].encode())  # every history row too
    settings.ID_NUMBER_KEYS = [new_key()]  # a key that never encrypted them: refused
    with pytest.raises(ValueError, match="ID_NUMBER_KEYS"):
        Household.objects.get(pk=household.pk)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_encrypts_plain_numbers_and_decrypts_them_going_back(world, login):
    """The demo's kind of data, stored in plain text before the migration: after it, every
    number is encrypted, hashed and searchable; back again, plain as it was."""
    heads = {h.pk: h.head_id_number for h in Household.objects.all()}
    Member.objects.create(
        household=world.household_a,
        name="王芳",
        relation="spouse",
        id_number=world.household_b.head_id_number,
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("households", "0004_access_code_version")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, head_id_number FROM households_household")
        assert dict(cursor.fetchall()) == heads  # plain again
        cursor.execute("SELECT count(*) FROM households_historicalhousehold")
        assert cursor.fetchone()[0] >= len(heads)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, head_id_number, head_id_tail FROM households_household")
        for pk, value, tail in cursor.fetchall():
            assert value.startswith("v1:") and decrypt(value) == heads[pk]
            assert tail == heads[pk][-6:]
        cursor.execute("SELECT head_id_number FROM households_historicalhousehold")
        assert all(value.startswith("v1:") for (value,) in cursor.fetchall())
    assert {h.pk: h.head_id_number for h in Household.objects.all()} == heads
    household = world.household_a
    assert list(Household.objects.with_id_ending(household.head_id_number[-6:])) == [household]
    # A household signs in with its ID suffix after the migration.
    response = Client().post(
        "/my/",
        {
            "project": household.project.code,
            "agreement_no": household.agreement_no,
            "id_suffix": household.head_id_number[-6:],
        },
    )
    assert response.status_code == 302


def test_the_default_keys_are_derived_from_the_secret_key(settings):
    expected = base64.urlsafe_b64encode(
        hashlib.sha256(f"id-numbers:{settings.SECRET_KEY}".encode()).digest()
    ).decode()
    assert [expected] == settings.ID_NUMBER_KEYS
