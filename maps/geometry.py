"""The migrations of projects and housing name the validator by this path; it lives in
resettlement.geometry, below the domain models that use it."""

from resettlement.geometry import validate_area_geometry

__all__ = ["validate_area_geometry"]
