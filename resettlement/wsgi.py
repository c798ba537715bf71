import gc
import logging
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from resettlement.env import env_bool

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resettlement.settings")

application = get_wsgi_application()

if env_bool("PDF_WARM_UP", default=not settings.DEBUG):
    # Each app server process (a gunicorn worker imports this module) loads WeasyPrint and the
    # papers' fonts now, not on the first clerk's print (1.9-3.1 s then, instead of ~0.2 s).
    from resettlement.documents import documents_warm_up

    try:
        documents_warm_up()
    except Exception:  # the site serves without it; the first print will say what is wrong
        logging.getLogger(__name__).exception("warming up the PDF renderer failed")

# Every view imported now, not on the first request (which then waited for it).
get_resolver().check()  # loads the URL patterns, and with them every view module

# The loaded application (models, URL patterns, translations) lives as long as the process:
# keep it out of the garbage collector's full passes, which otherwise rescan it and pause
# large answers such as the live board (p95 ~270 ms -> ~160 ms in bench/board.py).
gc.collect()
gc.freeze()
