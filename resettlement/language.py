"""Interface language: Chinese unless the user chose another one.

Django's LocaleMiddleware follows the browser's Accept-Language, which would show English to
any staff PC with an English system. Here only the language the user picked with the switcher
(the language cookie) counts; everyone else gets settings.LANGUAGE_CODE (zh-hans).
"""

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        # For this request only: the thread's language is put back afterwards, so whatever runs
        # next in it (another request, a test, a task run at once) starts from the default.
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
