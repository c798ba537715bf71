"""Every PDF the product prints comes from here: a Django template rendered to HTML, then
WeasyPrint (A4, Chinese text in an embedded, subset Noto Sans CJK: the papers' cut of it where
this machine has one, resettlement.fonts). Views, bulk jobs and tests call the same function.
"""

import atexit
import ctypes.util
import threading
import time
from functools import cache

from django.core import checks
from django.http import HttpResponse
from django.template.loader import render_to_string

from resettlement.fonts import cjk_font_path, paper_font_files

PDF = "application/pdf"

_fonts = threading.local()


def font_configuration():
    """This thread's WeasyPrint font configuration, made once: a new one per document would
    load the system's fonts and copy the papers' faces again each time (some 20 ms). One per
    thread, as Pango's font maps are not shared between threads."""
    configuration = getattr(_fonts, "configuration", None)
    if configuration is None:
        from weasyprint.text.fonts import FontConfiguration

        configuration = _fonts.configuration = FontConfiguration()
        if threading.current_thread() is threading.main_thread():
            # Dropped before the interpreter tears its modules down (its cleanup needs them).
            atexit.register(_fonts.__dict__.pop, "configuration", None)
    return configuration


def render_layout(template_name: str, context: dict):
    """The laid-out pages of a template (a weasyprint.Document): bulk printing writes each
    household's PDF from them and, with other households' pages, one PDF for printing whose
    fonts are embedded once."""
    import weasyprint  # imported on first use: it loads Pango and HarfBuzz

    html = render_to_string(template_name, context)
    return weasyprint.HTML(string=html, base_url="/").render(font_config=font_configuration())


def render_pdf(template_name: str, context: dict) -> bytes:
    return pdf_bytes(render_layout(template_name, context))


def pdf_bytes(layout) -> bytes:
    """The PDF of laid-out pages (a weasyprint.Document). Then the memory WeasyPrint freed is
    handed back to the system: glibc keeps freed memory in its heaps, and an app server that
    printed a few papers stayed some 30 MiB larger for good (malloc_trim: about 1.5 ms)."""
    content = layout.write_pdf()
    _memory_return()
    return content


@cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    library = ctypes.CDLL(name) if name else None
    return getattr(library, "malloc_trim", None)  # glibc only


def _memory_return() -> None:
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def documents_warm_up() -> float:
    """Render a small paper once, as an app server starts: WeasyPrint, Pango and HarfBuzz
    imported, the papers' fonts (regular, bold, mono) loaded into this thread's font
    configuration, segno imported. The first PDF a clerk asks of a fresh worker then takes
    what every later one does, not 2-3 s more. Returns the seconds it took."""
    started = time.perf_counter()
    render_pdf(WARM_UP_TEMPLATE, {"qr": qr_data_uri("https://example.org/warm-up")})
    return time.perf_counter() - started


WARM_UP_TEMPLATE = "documents/warm_up.html"


def qr_data_uri(url: str) -> str:
    """A QR code of `url` as a PNG data URI (one module per pixel: printing scales it)."""
    import segno

    return segno.make(url, error="m").png_data_uri(scale=1, border=4)


def pdf_response(content: bytes, filename: str, *, download: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=PDF)
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@cache
def harfbuzz_subset_available() -> bool:
    return ctypes.util.find_library("harfbuzz-subset") is not None


def check_pdf_fonts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if cjk_font_path() is None:
        problems.append(
            checks.Error(
                "No CJK font found: PDFs would show empty boxes instead of Chinese.",
                hint="Install Debian's fonts-noto-cjk (make setup does).",
                id="resettlement.E001",
            )
        )
    if not harfbuzz_subset_available():
        problems.append(
            checks.Warning(
                "HarfBuzz subsetting (libharfbuzz-subset) is missing: each PDF page would take "
                "about 11 s to embed its fonts instead of about 0.3 s.",
                hint="Install Debian's libharfbuzz-subset0 (make setup does).",
                id="resettlement.W002",
            )
        )
    elif not paper_font_files():
        problems.append(
            checks.Warning(
                "The papers' cut of Noto Sans CJK is missing: PDFs embed the full font, "
                "2-3 times larger and slower to write.",
                hint="Run manage.py build_paper_fonts on each machine that prints "
                "(make setup does).",
                id="resettlement.W003",
            )
        )
    return problems
