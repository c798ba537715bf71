from django.urls import path

from resettlement.archive import views

app_name = "archive"

urlpatterns = [
    path("verify/<str:code>/", views.verify, name="verify"),
]
