from django import template
from django.utils.html import format_html

from maps.palette import PHASE_STYLES
from resettlement.housing.models import Phase

register = template.Library()


@register.simple_tag
def phase_badge(phase: str):
    """The phase's colour (a class of app.css, no inline style under the CSP), mark and name,
    readable without the colour."""
    style = PHASE_STYLES[Phase(phase)]
    return format_html(
        '<span class="badge phase phase-{}" data-phase="{}">{} {}</span>',
        style.phase.value,
        style.phase.value,
        style.mark,
        style.label,
    )
