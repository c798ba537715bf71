"""Reading generated PDFs back in tests."""

import io

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    """All the text of a PDF, pages joined, without the spaces and line breaks extraction adds
    (CJK text is laid out glyph by glyph, and table cells wrap)."""
    assert content.startswith(b"%PDF-"), content[:40]
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    return text.replace(" ", "").replace("\n", "")


def pdf_fonts(content: bytes) -> set[str]:
    """Base names of the fonts the PDF embeds."""
    reader = PdfReader(io.BytesIO(content))
    fonts = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    return fonts


def forbid_weasyprint(monkeypatch) -> None:
    """From here on, any PDF rendered fails the test (what a reader's request may not do)."""
    import weasyprint

    def refuse(*args, **kwargs):
        raise AssertionError("WeasyPrint ran while serving a request")

    monkeypatch.setattr(weasyprint, "HTML", refuse)
