from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from maps import views as maps
from resettlement.households import views as households
from resettlement.housing import views as housing
from resettlement.imports import views as imports
from resettlement.lottery import views as lottery
from resettlement.progress import views as progress
from resettlement.projects import views as projects
from resettlement.selection import views as selection

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
    path("imports/<int:pk>/", imports.import_batch, name="import-batch"),
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
    path("projects/<slug:code>/lotteries/", lottery.lottery_list, name="lottery-list"),
    path("lotteries/<int:pk>/", lottery.lottery_detail, name="lottery-detail"),
    path("lotteries/<int:pk>/roster/", lottery.lottery_roster_build, name="lottery-roster-build"),
    path(
        "lotteries/<int:pk>/entries/<int:entry_pk>/",
        lottery.lottery_entry_edit,
        name="lottery-entry",
    ),
    path("lotteries/<int:pk>/pool/", lottery.lottery_pool, name="lottery-pool"),
    path("lotteries/<int:pk>/groups/", lottery.lottery_groups, name="lottery-groups"),
    path("lotteries/<int:pk>/freeze/", lottery.lottery_freeze_view, name="lottery-freeze"),
    path("lotteries/<int:pk>/draw/", lottery.lottery_draw_view, name="lottery-draw"),
    path("lotteries/<int:pk>/publish/", lottery.lottery_publish_view, name="lottery-publish"),
    path("lotteries/<int:pk>/cancel/", lottery.lottery_cancel_view, name="lottery-cancel"),
    path("lotteries/<int:pk>/redraw/", lottery.lottery_redraw_view, name="lottery-redraw"),
    path("lotteries/<int:pk>/notary/", lottery.lottery_notary_import, name="lottery-notary-import"),
    path("lotteries/<int:pk>/notice/", lottery.notice_preview, name="lottery-notice-preview"),
    path("lotteries/<int:pk>/<str:name>", lottery.lottery_file, name="lottery-file"),
    path("notices/lottery_verify.py", lottery.verifier, name="lottery-verifier"),
    path("notices/lotteries/<uuid:token>/", lottery.notice, name="lottery-notice"),
    path(
        "notices/lotteries/<uuid:token>/notice.pdf", lottery.notice_pdf, name="lottery-notice-pdf"
    ),
    path(
        "notices/lotteries/<uuid:token>/<str:name>", lottery.notice_file, name="lottery-notice-file"
    ),
    path("projects/<slug:code>/selection/", selection.event_list, name="selection-events"),
    path("selection/<int:pk>/", selection.event_detail, name="selection-event"),
    path("selection/<int:pk>/step/<str:step>/", selection.event_step, name="selection-event-step"),
    path("selection/<int:pk>/summary/", selection.event_summary, name="selection-summary"),
    path("selection/<int:pk>/rules/", selection.event_rules, name="selection-rules"),
    path("selection/<int:pk>/board/", selection.board_open, name="selection-board-open"),
    path(
        "selection/<int:pk>/board-links/<int:link_pk>/revoke/",
        selection.board_link_revoke,
        name="selection-board-link-revoke",
    ),
    path("selection/<int:pk>/desks/<int:number>/", selection.desk_console, name="desk-console"),
    path(
        "selection/<int:pk>/desks/<int:number>/<str:action>/",
        selection.desk_action,
        name="desk-action",
    ),
    path("selections/<int:pk>/", selection.selection_detail, name="selection-detail"),
    path(
        "selections/<int:pk>/confirmation.pdf",
        selection.selection_confirmation_pdf,
        name="selection-confirmation",
    ),
    path("board/<str:token>/", selection.board, name="selection-board"),
    path("board/<str:token>/data/", selection.board_data, name="selection-board-data"),
    path("households/", households.household_search, name="household-search"),
    path("households/<int:pk>/", households.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", households.household_edit, name="household-edit"),
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
