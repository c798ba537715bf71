from django.urls import path

from resettlement.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.report_list, name="list"),
    path("reports/<int:pk>/", views.report_detail, name="detail"),
    path("reports/<int:pk>/progress/", views.report_progress, name="progress"),
    path("reports/<int:pk>/report.pdf", views.report_download, {"what": "pdf"}, name="pdf"),
    path("reports/<int:pk>/report.xlsx", views.report_download, {"what": "xlsx"}, name="xlsx"),
]
