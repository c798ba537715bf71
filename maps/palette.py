"""Colours and marks of the building phases, shared by the map, the static map image and the
badges. Colours are the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies); each phase also has a numbered mark, so nothing depends on colour alone."""

from dataclasses import dataclass

from resettlement.housing.models import Phase

BLACK, WHITE = "#000000", "#ffffff"


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a `#rrggbb` colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    )
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two `#rrggbb` colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class PhaseStyle:
    phase: Phase
    colour: str
    mark: str

    @property
    def text_colour(self) -> str:
        """Black or white, whichever contrasts more with the phase's colour (WCAG 2.1)."""
        on_black = contrast_ratio(self.colour, BLACK)
        return BLACK if on_black >= contrast_ratio(self.colour, WHITE) else WHITE

    @property
    def label(self) -> str:
        return str(self.phase.label)


PHASE_STYLES = {
    style.phase: style
    for style in (
        PhaseStyle(Phase.NOT_STARTED, "#BBBBBB", "⓪"),
        PhaseStyle(Phase.FOUNDATION, "#E69F00", "①"),
        PhaseStyle(Phase.STRUCTURE, "#56B4E9", "②"),
        PhaseStyle(Phase.TOPPED_OUT, "#0072B2", "③"),
        PhaseStyle(Phase.ENVELOPE, "#CC79A7", "④"),
        PhaseStyle(Phase.FITOUT, "#F0E442", "⑤"),
        PhaseStyle(Phase.ACCEPTANCE, "#D55E00", "⑥"),
        PhaseStyle(Phase.DELIVERED, "#009E73", "⑦"),
    )
}


def legend() -> list[dict[str, str]]:
    """The phases in order, for templates and the map script (json_script)."""
    return [
        {
            "phase": style.phase.value,
            "label": style.label,
            "colour": style.colour,
            "mark": style.mark,
        }
        for style in PHASE_STYLES.values()
    ]
