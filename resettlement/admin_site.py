"""The Django admin, open to the 管理员 role (not only to superusers)."""

from django.contrib import admin
from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext_lazy as _

from resettlement.accounts.access import Capability, user_can


class ResettlementAdminSite(admin.AdminSite):
    site_header = _("Resettlement tracking: administration")
    site_title = _("Resettlement administration")
    index_title = _("Administration")

    def has_permission(self, request) -> bool:
        return request.user.is_active and user_can(request.user, Capability.ADMINISTER)


class RoleBackend(ModelBackend):
    """Administrators hold every model permission through their role, not per-user grants."""

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return user_can(user_obj, Capability.ADMINISTER) or super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label) -> bool:
        return user_can(user_obj, Capability.ADMINISTER) or super().has_module_perms(
            user_obj, app_label
        )
