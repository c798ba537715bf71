"""The Django admin, open to the 管理员 role (not only to superusers)."""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from resettlement.accounts.access import Capability, user_can, user_with_access
from resettlement.column_ranges import ColumnDecimalField, ColumnIntegerField, field_range

# Django's own admin strings its zh_Hans catalogue lacks (the index's table captions, Django
# 5.2): named here so that `make messages` keeps their Chinese in the project's catalogue.
DJANGO_ADMIN_MESSAGES = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
)


class ColumnRangeAdmin:
    """Numeric fields of admin forms held to their column's range, as every other form's."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        numeric = isinstance(db_field, models.DecimalField | models.IntegerField)
        if numeric and not isinstance(db_field, models.AutoField) and not db_field.choices:
            bounds = field_range(db_field)
            decimal = bounds.places is not None
            kwargs["form_class"] = ColumnDecimalField if decimal else ColumnIntegerField
            kwargs["bounds"] = bounds
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def _with_column_ranges(admin_class):
    if issubclass(admin_class, ColumnRangeAdmin):
        return admin_class
    attributes = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__}
    if getattr(admin_class, "inlines", None):
        attributes["inlines"] = [_with_column_ranges(inline) for inline in admin_class.inlines]
    return type(admin_class.__name__, (ColumnRangeAdmin, admin_class), attributes)


class ResettlementAdminSite(admin.AdminSite):
    site_header = _("Resettlement tracking: administration")
    site_title = _("Resettlement administration")
    index_title = _("Administration")

    def has_permission(self, request) -> bool:
        return request.user.is_active and user_can(request.user, Capability.ADMINISTER)

    def login(self, request, extra_context=None):
        """Administrators sign in where everyone does: behind the sign-in throttle."""
        return redirect_to_login(
            request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        )

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model admin (and its inlines) registered with `ColumnRangeAdmin` mixed in, so
        no admin form lets a number past its column."""
        admin_class = _with_column_ranges(admin_class or admin.ModelAdmin)
        super().register(model_or_iterable, admin_class, **options)


class RoleBackend(ModelBackend):
    """Administrators hold every model permission through their role, not per-user grants.
    The signed-in user of each request is read with its roles and projects in one query."""

    def get_user(self, user_id):
        user = user_with_access(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return user_can(user_obj, Capability.ADMINISTER) or super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label) -> bool:
        return user_can(user_obj, Capability.ADMINISTER) or super().has_module_perms(
            user_obj, app_label
        )
