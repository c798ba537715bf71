from django.urls import path

from maps import views

app_name = "maps"

urlpatterns = [
    path("projects/<slug:code>/geodata/", views.geometry_page, name="geometry"),
    path(
        "projects/<slug:code>/geodata/buildings.<str:extension>",
        views.geometry_download,
        name="geometry-download",
    ),
    path("projects/<slug:code>/map.png", views.project_map_image, name="project-image"),
    path("map/", views.map_page, name="page"),
]
