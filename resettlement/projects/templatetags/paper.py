"""`{% paper_fonts %}` in documents/base.html: the papers' cut of Noto Sans CJK SC
(resettlement.fonts) as @font-face rules, asked for before the full font, when this machine
has it; nothing otherwise (the full font alone prints the same text, slower and larger)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from resettlement.fonts import CJK_FAMILY, PAPER_FAMILY, paper_font_files

register = template.Library()


@register.simple_tag
def paper_fonts() -> SafeString:
    files = paper_font_files()
    if not files:
        return mark_safe("")
    faces = "".join(
        f'@font-face {{ font-family: "{PAPER_FAMILY}"; src: url("{path.as_uri()}"); '
        f"font-weight: {weight}; }}\n"
        for weight, path in sorted(files.items())
    )
    stack = f'"{PAPER_FAMILY}", "{CJK_FAMILY}", sans-serif'
    # The paths are the server's own settings, never a user's input.
    return mark_safe(  # noqa: S308
        f"<style>\n{faces}@page {{ font-family: {stack}; }}\nbody {{ font-family: {stack}; }}\n"
        "</style>"
    )
