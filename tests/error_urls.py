"""The site's routes plus one that fails, for the 500 page's tests."""

from django.urls import path

from resettlement.urls import urlpatterns as site_urlpatterns


def fail(request):
    raise RuntimeError("secret detail: database password is hunter2")


urlpatterns = [*site_urlpatterns, path("fail/", fail)]
