"""Who may keep a copy of a response.

Staff pages, downloads and API answers carry personal data (names, ID and phone numbers,
rosters, confirmations, error workbooks) or internal figures: no browser disk cache, shared
computer's back button or proxy may keep them. So every response the application makes is
`Cache-Control: private, no-store` unless its view decided otherwise by setting Cache-Control
itself. The views that do: the public notice and its files (public, with an ETag), the board
data (no-cache, with an ETag; no personal data), map GeoJSON and milestone photos (private;
no household data). Django's admin marks its own pages no-store. Static files never reach this
middleware: WhiteNoise, above it, answers them first.

A default rather than a decorator per view: a new page is private until someone decides it is
not, and that decision is visible in the view that sets the header.
"""

from django.utils.cache import patch_cache_control


class PrivateByDefaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
