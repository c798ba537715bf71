from django.urls import path

from resettlement.progress import views

app_name = "progress"

urlpatterns = [
    path("projects/<slug:code>/milestones/bulk/", views.milestone_bulk, name="milestone-bulk"),
    path(
        "projects/<slug:code>/milestones/template/",
        views.milestone_template,
        name="milestone-template",
    ),
    path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone-edit"),
    path("milestones/<int:pk>/exception/", views.milestone_exception, name="milestone-exception"),
    path("photos/<int:pk>/", views.milestone_photo, name="milestone-photo"),
    path(
        "photos/<int:pk>/thumbnail/",
        views.milestone_photo,
        {"size": "thumb"},
        name="milestone-photo-thumb",
    ),
]
