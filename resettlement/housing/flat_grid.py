"""A building's flats laid out as staff read a 销控表: per stairwell, floors top-down."""

from collections.abc import Iterable
from dataclasses import dataclass

from resettlement.housing.models import Flat


@dataclass
class StairwellGrid:
    stairwell: int
    positions: list[int]
    floors: list[tuple[int, list[Flat | None]]]  # highest floor first


def flat_grid(flats: Iterable[Flat]) -> list[StairwellGrid]:
    cells: dict[int, dict[tuple[int, int], Flat]] = {}
    for flat in flats:
        cells.setdefault(flat.stairwell, {})[(flat.floor, flat.position)] = flat
    grids = []
    for stairwell in sorted(cells):
        by_place = cells[stairwell]
        positions = sorted({position for _floor, position in by_place})
        floors = sorted({floor for floor, _position in by_place}, reverse=True)
        grids.append(
            StairwellGrid(
                stairwell=stairwell,
                positions=positions,
                floors=[(floor, [by_place.get((floor, p)) for p in positions]) for floor in floors],
            )
        )
    return grids
