import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from resettlement.accounts.models import ApiToken, SignInEvent, SignInOutcome, TokenState, User
from resettlement.accounts.signin import locked_now, lockout_lift
from resettlement.accounts.tokens import api_token_create, keys_revoke


@admin.register(User)
class ResettlementUserAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "display_name", "roles", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "projects"]
    search_fields = ["username", "display_name"]
    filter_horizontal = ["groups", "projects", "user_permissions"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["display_name", "email"]}),
        (_("Roles and projects"), {"fields": ["groups", "projects", "is_active"]}),
        (
            _("Django permissions"),
            {"classes": ["collapse"], "fields": ["is_staff", "is_superuser", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, user) -> str:
        return "、".join(group.name for group in user.groups.all())


class KeyStateFilter(admin.SimpleListFilter):
    """Active, expired or revoked: computed from the dates, for tokens and board links."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return TokenState.choices

    def queryset(self, request, queryset):
        if self.value() == TokenState.ACTIVE:
            return queryset.active()
        if self.value() == TokenState.EXPIRED:
            return queryset.expired()
        if self.value() == TokenState.REVOKED:
            return queryset.revoked()
        return queryset


class ExpiringKeyAdmin(admin.ModelAdmin):
    """Keys are made by their service and never edited; they are revoked, not deleted, so the
    record of who held access, and until when, stays."""

    actions = ["revoke"]
    list_filter = [KeyStateFilter]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("state"))
    def state_shown(self, key) -> str:
        return str(TokenState(key.state).label)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        count = self.keys_revoke(queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", count) % {"count": count},
            messages.SUCCESS,
        )

    def keys_revoke(self, queryset, *, by: User | None) -> int:
        return keys_revoke(keys=queryset, by=by)


@admin.register(ApiToken)
class ApiTokenAdmin(ExpiringKeyAdmin):
    list_display = [
        "name",
        "user",
        "key_shown",
        "created_at",
        "expires_at",
        "last_used_at",
        "state_shown",
        "revoked_by",
    ]
    list_filter = [KeyStateFilter, "user"]
    list_select_related = ["user", "revoked_by"]
    search_fields = ["name", "user__username", "user__display_name"]
    fields = ["user", "name"]
    readonly_fields = ["key_shown", "created_at", "created_by", "expires_at", "last_used_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name"]
        return ["user", "name", *self.readonly_fields, "revoked_at", "revoked_by"]

    @admin.display(description=_("key"))
    def key_shown(self, token) -> str:
        return token.masked_key

    def save_model(self, request, obj, form, change) -> None:
        token, key = api_token_create(user=obj.user, name=obj.name, by=request.user)
        obj.__dict__.update(token.__dict__)  # the admin logs the addition of `obj`
        request.issued_api_key = key

    def response_add(self, request, obj, post_url_continue=None):
        """Show the key on this page, once: it is stored only as a hash, and a message would
        carry it through the messages cookie."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "token": obj,
            "key": request.issued_api_key,
            "title": _("API token created"),
        }
        return TemplateResponse(request, "admin/accounts/apitoken/issued.html", context)


class LockedNowFilter(admin.SimpleListFilter):
    """Lockouts still holding (their state is in the cache, not in the log)."""

    title = _("lockout")
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("now", _("Holding now"))]

    def queryset(self, request, queryset):
        if self.value() != "now":
            return queryset
        since = timezone.now() - datetime.timedelta(seconds=settings.SIGN_IN_LOCK)
        recent = queryset.filter(outcome=SignInOutcome.LOCKED, at__gte=since)
        return recent.filter(pk__in=[event.pk for event in recent if locked_now(event)])


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    """The sign-in log, read only; a lockout may be lifted before its time runs out."""

    list_display = ["at", "username", "address", "outcome", "locked_until", "user"]
    list_filter = [LockedNowFilter, "outcome"]
    list_select_related = ["user"]
    search_fields = ["username", "address"]
    date_hierarchy = "at"
    actions = ["lift"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Lift the selected lockouts"))
    def lift(self, request, queryset):
        count = sum(lockout_lift(event=event, by=request.user) for event in queryset)
        self.message_user(
            request,
            ngettext("%(count)d lockout lifted.", "%(count)d lockouts lifted.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
