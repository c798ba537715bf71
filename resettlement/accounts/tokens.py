"""Keys that grant access without a password: API tokens and board links.

A key is 256 random bits, shown once when it is made; only its SHA-256 is stored, so a copy
of the database (or of a backup) opens nothing. A plain hash is enough for keys this long: no
one can guess their way back to one, so a slow password hash would only cost time on every
request.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resettlement.accounts.models import ApiToken, ExpiringKey, TokenState, User

KEY_BYTES = 32
PREFIX_SHOWN = 6
# When a key was last used is written at most this often, not on every request.
TOUCH_EVERY = datetime.timedelta(minutes=1)

ERROR_TOKEN_INVALID = _("Invalid API token.")
ERROR_TOKEN_EXPIRED = _("This API token expired on %(date)s; ask an administrator for a new one.")
ERROR_TOKEN_REVOKED = _("This API token was revoked; ask an administrator for a new one.")
ERROR_ACCOUNT_DISABLED = _("The account this API token belongs to is disabled.")


def new_key() -> tuple[str, str]:
    """A fresh key and the digest to store for it."""
    key = secrets.token_urlsafe(KEY_BYTES)
    return key, key_digest(key)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user, name: str, by: User | None = None) -> tuple[ApiToken, str]:
    """A token for `user`, valid for API_TOKEN_DAYS; returns it with its key (shown once)."""
    key, digest = new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=digest,
        key_prefix=key[:PREFIX_SHOWN],
        expires_at=timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DAYS),
        created_by=by,
    )
    return token, key


def keys_revoke(*, keys: QuerySet, by: User | None = None) -> int:
    """Revoke these API tokens or board links (those not revoked already); how many."""
    return keys.filter(revoked_at=None).update(revoked_at=timezone.now(), revoked_by=by)


def key_touch(key: ExpiringKey, field: str) -> None:
    """Record in `field` that `key` is used now, unless it was less than TOUCH_EVERY ago."""
    now = timezone.now()
    last = getattr(key, field)
    if last is None or now - last >= TOUCH_EVERY:
        type(key).objects.filter(pk=key.pk).update(**{field: now})
        setattr(key, field, now)


def api_token_check(key: str) -> ApiToken:
    """The live token with this key, its user loaded, or ValidationError saying why not."""
    token = ApiToken.objects.select_related("user").filter(key_hash=key_digest(key)).first()
    if token is None:
        raise ValidationError(ERROR_TOKEN_INVALID, code="invalid")
    state = token.state
    if state == TokenState.REVOKED:
        raise ValidationError(ERROR_TOKEN_REVOKED, code="revoked")
    if state == TokenState.EXPIRED:
        date = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")
        raise ValidationError(ERROR_TOKEN_EXPIRED % {"date": date}, code="expired")
    if not token.user.is_active:
        raise ValidationError(ERROR_ACCOUNT_DISABLED, code="disabled")
    key_touch(token, "last_used_at")
    return token
