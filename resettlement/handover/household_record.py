"""A household's handover record, for its page (households:detail): its appointments in every
batch (rescheduled and missed ones too) and its handovers, undone ones with their reason. Three
queries, however many records the household has."""

from dataclasses import dataclass

from django.db.models import Prefetch

from resettlement.handover.models import Appointment, HandedFlat, Handover
from resettlement.households.models import Household


@dataclass
class HandoverRecord:
    appointments: list[Appointment]
    handovers: list[Handover]


def household_handovers(household: Household) -> HandoverRecord:
    appointments = (
        Appointment.objects.filter(household=household)
        .select_related("batch", "slot")
        .order_by("-slot__day", "-pk")
    )
    flats = HandedFlat.objects.select_related("flat").order_by("flat__code")
    handovers = (
        Handover.objects.filter(household=household)
        .select_related("batch")
        .prefetch_related(Prefetch("flats", queryset=flats))
        .order_by("-handed_on", "-pk")
    )
    return HandoverRecord(appointments=list(appointments), handovers=list(handovers))
