"""ID numbers encrypted at rest.

A household's and a member's ID number are stored encrypted (Fernet: AES-128-CBC with an
HMAC-SHA256, a fresh IV per value) under the first key of ID_NUMBER_KEYS; a copy of the
database, a backup or a history table shows none of them. Beside each, two columns the database
can search and constrain without the number itself:

- a keyed hash of the number (HMAC-SHA256 under ID_HASH_KEY): exact lookups and uniqueness
  (one household per head's ID number in a project);
- its last 6 characters: searches by the ending (the staff's search, a household's sign-in),
  which never go further (forms.MAX_ID_DIGITS).

The fields do this themselves: code reads and writes `head_id_number` as plain text (saves,
bulk creates and updates, values() and values_list()), the hash and the ending are derived on
every save from the number. An equality lookup on the encrypted column cannot match (each value
has its own IV), so it is refused: look up `*_id_hash` with `id_hash()` instead.

Keys come from the environment. Several may be given (the first encrypts, all decrypt): to
rotate, put the new key first, run `manage.py rotate_id_number_keys`, then drop the old one.
The same command recomputes every hash after ID_HASH_KEY changes.
"""

import functools
import hashlib
import hmac
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.db import models

PREFIX = "v1:"
TAIL_LENGTH = 6
# "v1:" and a Fernet token of an 18-character number (120 characters), with room to spare.
STORED_LENGTH = 160


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _keys() -> MultiFernet:
    return _fernet(tuple(settings.ID_NUMBER_KEYS))


def encrypt(value: str) -> str:
    if not value:
        return value
    return PREFIX + _keys().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    """The number; a value stored before encryption (no prefix) is returned as it is, so rows
    read during the data migration are readable either way."""
    if not stored or not stored.startswith(PREFIX):
        return stored
    try:
        return _keys().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ValueError(
            "An ID number cannot be decrypted with ID_NUMBER_KEYS: is the key it was "
            "encrypted with missing from the list?"
        ) from None


def reencrypt(stored: str) -> str:
    """The value under the first key (MultiFernet.rotate), for key rotation."""
    if not stored:
        return stored
    if not stored.startswith(PREFIX):
        return encrypt(stored)
    return PREFIX + _keys().rotate(stored[len(PREFIX) :].encode()).decode()


def id_hash(value: str) -> str:
    """The keyed hash stored beside an ID number ("" for none): equal numbers, equal hashes."""
    if not value:
        return ""
    normal = value.strip().upper()
    return hmac.new(settings.ID_HASH_KEY.encode(), normal.encode(), hashlib.sha256).hexdigest()


def id_tail(value: str) -> str:
    return value.strip().upper()[-TAIL_LENGTH:] if value else ""


class EncryptedIdNumberField(models.CharField):
    """An ID number, encrypted in the database and plain on the instance."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", STORED_LENGTH)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_db_prep_save(self, value, connection):
        if hasattr(value, "as_sql"):  # an expression (bulk_update's CASE): its values are
            return value  # each prepared through this method
        return encrypt(self.to_python(value) or "")

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value:
            raise TypeError(
                f"{self.name} is encrypted: look rows up by its hash (id_hash) or its ending."
            )
        return value

    def formfield(self, **kwargs):  # type: ignore[override]  # CharField's takes **kwargs only
        # The form field takes an ID number, not the stored value's length.
        return super().formfield(**{"max_length": 18, **kwargs})


class DerivedIdField(models.CharField):
    """A column derived on every save from an ID number field of the same model (`source`):
    its keyed hash or its last characters. Never edited."""

    derive = staticmethod(id_hash)

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key, value) == value:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = type(self).derive(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


class IdHashField(DerivedIdField):
    derive = staticmethod(id_hash)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(*args, **kwargs)


class IdTailField(DerivedIdField):
    derive = staticmethod(id_tail)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", TAIL_LENGTH)
        super().__init__(*args, **kwargs)


def with_derived_fields(instance: models.Model, update_fields):
    """A save's update_fields with the hash and ending of each ID number field it names: a
    save of the number alone must not leave them behind."""
    if update_fields is None:
        return None
    names = set(update_fields)
    for field in instance._meta.concrete_fields:
        if isinstance(field, DerivedIdField) and field.source in names:
            names.add(field.name)
    return list(names)


BATCH = 1000


def id_numbers_rewrite(model: type[models.Model], number: str, hash_column: str, tail_column: str):
    """Write every row's ID number back through the encrypting field (under the first key of
    ID_NUMBER_KEYS), with its hash (under ID_HASH_KEY) and ending recomputed: the data
    migration that encrypts plain numbers, and the key rotation. How many rows it wrote."""
    pk = model._meta.pk.attname
    rows = model._default_manager.exclude(**{number: ""}).only(pk, number).order_by(pk)
    batch: list[models.Model] = []
    written = 0
    for row in rows.iterator(chunk_size=BATCH):
        plain = getattr(row, number)  # decrypted under any key, or plain as stored before
        setattr(row, hash_column, id_hash(plain))
        setattr(row, tail_column, id_tail(plain))
        batch.append(row)
        if len(batch) == BATCH:
            written += model._default_manager.bulk_update(batch, [number, hash_column, tail_column])
            batch = []
    if batch:
        written += model._default_manager.bulk_update(batch, [number, hash_column, tail_column])
    return written


def check_id_number_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """In production the keys are set on their own: keys derived from SECRET_KEY would make
    every ID number unreadable the day SECRET_KEY is changed."""
    missing = [name for name in ("ID_NUMBER_KEYS", "ID_HASH_KEY") if not os.environ.get(name)]
    if not missing:
        return []
    return [
        checks.Warning(
            f"{' and '.join(missing)} not set: ID numbers are encrypted and looked up under "
            "keys derived from SECRET_KEY, and would be unreadable after SECRET_KEY changes.",
            hint="Set ID_NUMBER_KEYS (a Fernet key) and ID_HASH_KEY in the environment of every "
            "app server and worker, and keep them with the backups.",
            id="resettlement.W004",
        )
    ]
