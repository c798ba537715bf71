from django.urls import path

from resettlement.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/<slug:code>/", views.project_dashboard, name="dashboard"),
]
