"""A 405 in the site's layout: Django answers a method a view does not take (`require_POST`,
a class view's `http_method_not_allowed`) with an empty body, a blank page in the browser.
403, 404, 400 and 500 have their templates (templates/403.html, ...); the API's answers stay
as DRF writes them (JSON)."""

from django.shortcuts import render


class MethodNotAllowedPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and not response.streaming
            and not response.content
            and not request.path_info.startswith("/api/")
        ):
            page = render(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response
