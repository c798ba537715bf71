from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class MapsConfig(AppConfig):
    name = "maps"
    verbose_name = _("Maps")

    def ready(self) -> None:
        checks.register(check_gdal_policy, checks.Tags.security, deploy=True)


def check_gdal_policy(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """GDAL (pyogrio) imported lazily: only `check --deploy` pays for it."""
    from maps import gdal_policy

    try:
        gdal_policy.lock_down()
    except gdal_policy.GdalNotLockedDown as error:
        return [
            checks.Error(
                f"GDAL cannot be restricted to the geodata import formats: {error}",
                hint="Geodata imports are refused until it can; check the pyogrio install.",
                id="maps.E001",
            )
        ]
    return []
