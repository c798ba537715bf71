"""Colours and marks of the building phases, shared by the map, the static map image and the
badges. Colours are the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies); each phase also has a numbered mark, so nothing depends on colour alone."""

from dataclasses import dataclass

from resettlement.housing.models import Phase


@dataclass(frozen=True)
class PhaseStyle:
    phase: Phase
    colour: str
    mark: str

    @property
    def text_colour(self) -> str:
        red, green, blue = (int(self.colour[i : i + 2], 16) for i in (1, 3, 5))
        return "#000000" if 0.299 * red + 0.587 * green + 0.114 * blue > 140 else "#ffffff"

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
