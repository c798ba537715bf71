from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from resettlement.accounts.models import User


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
