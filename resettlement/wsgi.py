import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resettlement.settings")

application = get_wsgi_application()

# The loaded application (models, URL patterns, translations) lives as long as the process:
# keep it out of the garbage collector's full passes, which otherwise rescan it and pause
# large answers such as the live board (p95 ~270 ms -> ~160 ms in bench/board.py).
gc.collect()
gc.freeze()
