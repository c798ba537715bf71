from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    """The five roles; each is a Django group of the same name, created by a data migration."""

    ADMIN = "管理员", _("Administrator")
    PROJECT_TEAM = "项目组", _("Project team")
    PROJECT_SUPERVISOR = "项目主管", _("Project supervisor")
    SELECTION_CLERK = "选房工作人员", _("Selection clerk")
    SELECTION_SUPERVISOR = "选房主管", _("Selection supervisor")
    LEADER = "领导", _("Leadership")


class User(AbstractUser):
    display_name = models.CharField(_("full name"), max_length=50, blank=True)
    projects = models.ManyToManyField(
        "projects.Project",
        verbose_name=_("assigned projects"),
        related_name="assigned_users",
        blank=True,
        help_text=_(
            "Project-team and selection staff see only these projects; "
            "administrators and leaders see all."
        ),
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=[projects])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class TokenState(models.TextChoices):
    """Where a token (or a board link) stands; computed, never stored."""

    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class ExpiringKeyQuerySet(models.QuerySet):
    def active(self, at=None):
        """Neither revoked nor expired (at `at`, default now)."""
        return self.filter(revoked_at=None, expires_at__gt=at or timezone.now())

    def expired(self, at=None):
        return self.filter(revoked_at=None, expires_at__lte=at or timezone.now())

    def revoked(self):
        return self.exclude(revoked_at=None)


class ExpiringKey(models.Model):
    """A secret handed out for access without a password: only its SHA-256 is stored (the key
    itself is shown once, when it is made, see accounts.tokens); it expires, and can be
    revoked before that. API tokens and board links are such keys."""

    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        related_name="+",
        null=True,
        editable=False,
        verbose_name=_("by"),
    )
    expires_at = models.DateTimeField(_("expires"), editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, editable=False)
    revoked_by = models.ForeignKey(
        User,
        models.SET_NULL,
        related_name="+",
        null=True,
        editable=False,
        verbose_name=_("revoked by"),
    )

    objects = ExpiringKeyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.expires_at <= timezone.now():
            return TokenState.EXPIRED
        return TokenState.ACTIVE


class ApiToken(ExpiringKey):
    """A key an API client sends as `Authorization: Token <key>`; it expires after
    API_TOKEN_DAYS. Administrators create, list and revoke them in the admin."""

    user = models.ForeignKey(
        User, models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(
        _("purpose"),
        max_length=100,
        help_text=_("What the key is for, e.g. the street office's monthly report script."),
    )
    key_prefix = models.CharField(_("key begins with"), max_length=8, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, editable=False)

    class Meta(ExpiringKey.Meta):
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_key})"

    @property
    def masked_key(self) -> str:
        return f"{self.key_prefix}…"


class SignInOutcome(models.TextChoices):
    SUCCEEDED = "succeeded", _("Signed in")
    FAILED = "failed", _("Failed")
    LOCKED = "locked", _("Locked out")
    REFUSED = "refused", _("Refused while locked out")
    LIFTED = "lifted", _("Lockout lifted")


class SignInEvent(models.Model):
    """The sign-in log: every attempt to sign in with a password, its outcome, the name typed
    and the address it came from; never the password. A lockout (LOCKED) is shown to the
    administrators, who may lift it (LIFTED) before its time runs out."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    username = models.CharField(_("user name typed"), max_length=150, db_index=True)
    address = models.CharField(_("address"), max_length=45, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=SignInOutcome.choices)
    user = models.ForeignKey(
        User,
        models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("account"),
        help_text=_(
            "The account that signed in; for a lifted lockout, the administrator who lifted it."
        ),
    )
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-in log")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.username} · {self.get_outcome_display()}"
