from django import template
from django.utils.html import format_html

from maps.palette import PHASE_STYLES
from resettlement.progress.models import Phase

register = template.Library()


@register.simple_tag
def phase_badge(phase: str):
    """The phase's colour, mark and name, readable without the colour."""
    style = PHASE_STYLES[Phase(phase)]
    return format_html(
        '<span class="badge phase" data-phase="{}" style="background:{};color:{};border-color:{}">'
        "{} {}</span>",
        style.phase.value,
        style.colour,
        style.text_colour,
        style.colour,
        style.mark,
        style.label,
    )
