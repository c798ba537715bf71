from django.urls import path

from resettlement.households import views

app_name = "households"

urlpatterns = [
    path("projects/<slug:code>/households/new/", views.household_create_view, name="create"),
    path("households/", views.household_search, name="search"),
    path("households/<int:pk>/", views.household_detail, name="detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="edit"),
    path(
        "households/<int:pk>/access-code/", views.household_access_code_rotate, name="access-code"
    ),
]
