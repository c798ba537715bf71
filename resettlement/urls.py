from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from maps import views as maps
from resettlement.households import views as households
from resettlement.housing import views as housing
from resettlement.imports import views as imports
from resettlement.progress import views as progress
from resettlement.projects import views as projects

urlpatterns = [
    path("", projects.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("projects/<slug:code>/", projects.project_dashboard, name="project-dashboard"),
    path("projects/<slug:code>/imports/", imports.imports_page, name="imports"),
    path(
        "projects/<slug:code>/imports/template-<str:kind>.xlsx",
        imports.import_template,
        name="import-template",
    ),
    path("imports/<int:pk>/errors.xlsx", imports.import_error_report, name="import-error-report"),
    path(
        "projects/<slug:code>/households/new/",
        households.household_create_view,
        name="household-create",
    ),
    path("buildings/<int:pk>/", housing.building_detail, name="building-detail"),
    path(
        "buildings/<int:pk>/generate-flats/",
        housing.building_generate_flats,
        name="building-generate-flats",
    ),
    path("projects/<slug:code>/milestones/bulk/", progress.milestone_bulk, name="milestone-bulk"),
    path(
        "projects/<slug:code>/milestones/template/",
        progress.milestone_template,
        name="milestone-template",
    ),
    path("projects/<slug:code>/geodata/", maps.geometry_page, name="geometry"),
    path(
        "projects/<slug:code>/geodata/buildings.<str:extension>",
        maps.geometry_download,
        name="geometry-download",
    ),
    path("projects/<slug:code>/map.png", maps.project_map_image, name="project-map-image"),
    path("map/", maps.map_page, name="map"),
    path("milestones/<int:pk>/edit/", progress.milestone_edit, name="milestone-edit"),
    path(
        "milestones/<int:pk>/exception/", progress.milestone_exception, name="milestone-exception"
    ),
    path("photos/<int:pk>/", progress.milestone_photo, name="milestone-photo"),
    path(
        "photos/<int:pk>/thumbnail/",
        progress.milestone_photo,
        {"size": "thumb"},
        name="milestone-photo-thumb",
    ),
    path("households/", households.household_search, name="household-search"),
    path("households/<int:pk>/", households.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", households.household_edit, name="household-edit"),
    path("api/v1/", include(("api.urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
