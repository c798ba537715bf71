from django.contrib.admin.apps import AdminConfig


class ResettlementAdminConfig(AdminConfig):
    """The admin app with our role-aware site (kept apart: app configs load before models)."""

    default_site = "resettlement.admin_site.ResettlementAdminSite"
