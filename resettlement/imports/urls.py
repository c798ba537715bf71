from django.urls import path

from resettlement.imports import views

app_name = "imports"

urlpatterns = [
    path("projects/<slug:code>/imports/", views.imports_page, name="page"),
    path(
        "projects/<slug:code>/imports/template-<str:kind>.xlsx",
        views.import_template,
        name="template",
    ),
    path("imports/<int:pk>/", views.import_batch, name="batch"),
    path("imports/<int:pk>/errors.xlsx", views.import_error_report, name="error-report"),
]
