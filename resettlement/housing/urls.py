from django.urls import path

from resettlement.housing import views

app_name = "housing"

urlpatterns = [
    path("buildings/<int:pk>/", views.building_detail, name="building-detail"),
    path(
        "buildings/<int:pk>/generate-flats/",
        views.building_generate_flats,
        name="building-generate-flats",
    ),
]
