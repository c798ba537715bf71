"""Project-level routes: sign-in, the API and its schema, admin and language. Every page of
an app is in that app's urls.py, included here at the root with its full paths (so each
address stays what external links, printed QR codes and published notices point to) and
named in its namespace (`households:detail`)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.templatetags.static import static as static_url
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from resettlement.accounts.views import SignInView
from resettlement.health import healthz


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, a browsable API
    page): the site's icon, which every page of its own names."""
    return HttpResponseRedirect(static_url("resettlement/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),
    path("", include("resettlement.projects.urls")),
    path("", include("resettlement.imports.urls")),
    path("", include("resettlement.households.urls")),
    path("", include("resettlement.housing.urls")),
    path("", include("resettlement.progress.urls")),
    path("", include("maps.urls")),
    path("", include("resettlement.lottery.urls")),
    path("", include("resettlement.selection.urls")),
    path("", include("resettlement.handover.urls")),
    path("", include("resettlement.archive.urls")),
    path("", include("resettlement.reports.urls")),
    path("", include("resettlement.household_status.urls")),
    path(
        "accounts/login/",
        SignInView.as_view(),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include(("api.urls", "api"), namespace="api")),
    # For signed-in users and token clients only: generating the schema costs 55-70 ms of CPU per
    # request, and no one without an account can call the API it describes. (The code is open
    # source: `manage.py spectacular` writes the same schema for anyone.)
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="api-schema",
    ),
    path(
        "api/docs/",
        # The split view serves Swagger UI's start-up script as a file: no inline script.
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="api/swagger_ui.html"
            )
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
