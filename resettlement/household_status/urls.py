from django.urls import path

from resettlement.household_status import views

app_name = "household_status"

urlpatterns = [
    path("my/", views.my_status, name="status"),
    path("my/sign-out/", views.my_sign_out, name="sign-out"),
    path("my/documents/<int:pk>/", views.my_document, name="document"),
]
