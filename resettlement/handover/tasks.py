"""The background tasks of bulk printing (handover.printing has what they do)."""

from django_tasks import task

from resettlement.handover.printing import part_run


@task()
def print_part(part_id: int) -> None:
    """Run one part of a print job (a chunk of households, or the assembly) if it is free."""
    part_run(part_id)
