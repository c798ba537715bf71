"""Every PDF the product prints comes from here: a Django template rendered to HTML, then
WeasyPrint (A4, Chinese text in an embedded, subset Noto Sans CJK). Views, bulk jobs and tests
call the same function.
"""

import ctypes.util
from functools import cache

from django.core import checks
from django.http import HttpResponse
from django.template.loader import render_to_string

from resettlement.fonts import cjk_font_path

PDF = "application/pdf"


def render_layout(template_name: str, context: dict):
    """The laid-out pages of a template (a weasyprint.Document): bulk printing writes each
    household's PDF from them and, with other households' pages, one PDF for printing whose
    fonts are embedded once."""
    import weasyprint  # imported on first use: it loads Pango and HarfBuzz

    html = render_to_string(template_name, context)
    return weasyprint.HTML(string=html, base_url="/").render()


def render_pdf(template_name: str, context: dict) -> bytes:
    return render_layout(template_name, context).write_pdf()


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
    return problems
