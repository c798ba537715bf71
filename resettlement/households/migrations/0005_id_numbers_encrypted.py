"""ID numbers encrypted at rest (resettlement/id_encryption.py): the columns widened for the
ciphertext, the keyed hash and the last characters added beside them, every stored number
(households, members and their history) encrypted, hashed and cut; then the uniqueness of a
head's ID number in a project held by its hash. Reversible: going back decrypts them."""

import resettlement.id_encryption
import resettlement.id_numbers
from django.db import migrations, models


COLUMNS = {  # model: (ID number, hash, ending)
    "Household": ("head_id_number", "head_id_hash", "head_id_tail"),
    "HistoricalHousehold": ("head_id_number", "head_id_hash", "head_id_tail"),
    "Member": ("id_number", "id_hash", "id_tail"),
    "HistoricalMember": ("id_number", "id_hash", "id_tail"),
}


def encrypt_stored(apps, schema_editor) -> None:
    """Every row's number written back through the encrypting field, its hash and ending set
    beside it (a number stored before is read as the plain text it is)."""
    from resettlement.id_encryption import id_numbers_rewrite

    for name, columns in COLUMNS.items():
        id_numbers_rewrite(apps.get_model("households", name), *columns)


def decrypt_stored(apps, schema_editor) -> None:
    """Back to plain text, written past the encrypting field."""
    quote = schema_editor.connection.ops.quote_name
    for name, (number, _hash, _tail) in COLUMNS.items():
        model = apps.get_model("households", name)
        pk = model._meta.pk
        rows = model.objects.exclude(**{number: ""}).values_list(pk.attname, number)
        sql = "UPDATE {} SET {} = %s WHERE {} = %s".format(  # noqa: S608 (names, not values)
            quote(model._meta.db_table), quote(number), quote(pk.column)
        )
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(sql, [(plain, key) for key, plain in rows])


class Migration(migrations.Migration):

    dependencies = [
        ('households', '0004_access_code_version'),
        ('projects', '0005_household_access_codes'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='household',
            name='household_head_id_unique',
        ),
        migrations.RemoveIndex(
            model_name='member',
            name='member_id_number',
        ),
        migrations.AddField(
            model_name='historicalhousehold',
            name='head_id_hash',
            field=resettlement.id_encryption.IdHashField(max_length=64, source='head_id_number'),
        ),
        migrations.AddField(
            model_name='historicalhousehold',
            name='head_id_tail',
            field=resettlement.id_encryption.IdTailField(db_index=True, max_length=6, source='head_id_number'),
        ),
        migrations.AddField(
            model_name='historicalmember',
            name='id_hash',
            field=resettlement.id_encryption.IdHashField(db_index=True, max_length=64, source='id_number'),
        ),
        migrations.AddField(
            model_name='historicalmember',
            name='id_tail',
            field=resettlement.id_encryption.IdTailField(db_index=True, max_length=6, source='id_number'),
        ),
        migrations.AddField(
            model_name='household',
            name='head_id_hash',
            field=resettlement.id_encryption.IdHashField(max_length=64, source='head_id_number'),
        ),
        migrations.AddField(
            model_name='household',
            name='head_id_tail',
            field=resettlement.id_encryption.IdTailField(db_index=True, max_length=6, source='head_id_number'),
        ),
        migrations.AddField(
            model_name='member',
            name='id_hash',
            field=resettlement.id_encryption.IdHashField(db_index=True, max_length=64, source='id_number'),
        ),
        migrations.AddField(
            model_name='member',
            name='id_tail',
            field=resettlement.id_encryption.IdTailField(db_index=True, max_length=6, source='id_number'),
        ),
        migrations.AlterField(
            model_name='historicalhousehold',
            name='head_id_number',
            field=resettlement.id_encryption.EncryptedIdNumberField(max_length=160, validators=[resettlement.id_numbers.validate_id_number], verbose_name="head's ID number"),
        ),
        migrations.AlterField(
            model_name='historicalmember',
            name='id_number',
            field=resettlement.id_encryption.EncryptedIdNumberField(blank=True, max_length=160, validators=[resettlement.id_numbers.validate_id_number], verbose_name='ID number'),
        ),
        migrations.AlterField(
            model_name='household',
            name='head_id_number',
            field=resettlement.id_encryption.EncryptedIdNumberField(max_length=160, validators=[resettlement.id_numbers.validate_id_number], verbose_name="head's ID number"),
        ),
        migrations.AlterField(
            model_name='member',
            name='id_number',
            field=resettlement.id_encryption.EncryptedIdNumberField(blank=True, max_length=160, validators=[resettlement.id_numbers.validate_id_number], verbose_name='ID number'),
        ),
        migrations.RunPython(encrypt_stored, decrypt_stored, elidable=False),
        migrations.AddConstraint(
            model_name='household',
            constraint=models.UniqueConstraint(fields=('project', 'head_id_hash'), name='household_head_id_unique'),
        ),
    ]
