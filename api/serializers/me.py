"""The household's own status (/api/v1/me/): what /my/ shows, field for field."""

from django.urls import reverse
from rest_framework import serializers


class MeSignInSerializer(serializers.Serializer):
    project = serializers.CharField(max_length=30, help_text="The project's code, e.g. QLS.")
    agreement_no = serializers.CharField(max_length=40)
    id_suffix = serializers.RegexField(
        r"^[0-9]{5}[0-9Xx]$",
        help_text="The last 6 characters of the head of household's ID number.",
    )
    access_code = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="The access code printed on the household's documents, where its project "
        "asks for one.",
    )


class Output(serializers.Serializer):
    """An answer's fields: read, never written (the numeric bounds of inputs do not apply)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for field in cls._declared_fields.values():
            field.read_only = True


class MeTokenSerializer(Output):
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`.")
    expires_at = serializers.DateTimeField()


class MeMemberSerializer(Output):
    name = serializers.CharField()
    relation = serializers.CharField()
    id_number = serializers.CharField(help_text="Masked.")
    recognised = serializers.BooleanField()


class MeLotteryPlaceSerializer(Output):
    lottery = serializers.CharField()
    status = serializers.CharField()
    published = serializers.BooleanField()
    sequence = serializers.IntegerField(allow_null=True, help_text="Null until drawn.")
    total = serializers.IntegerField()
    group = serializers.IntegerField()
    group_total = serializers.IntegerField()
    groups = serializers.IntegerField()


class MeQueuePlaceSerializer(Output):
    event = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    event_open = serializers.BooleanField()
    order_no = serializers.IntegerField()
    status = serializers.CharField()
    status_code = serializers.CharField()
    desk = serializers.IntegerField(allow_null=True)
    ahead = serializers.IntegerField(allow_null=True)
    minutes_each = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    estimate = serializers.DateTimeField(allow_null=True)


class MeEventDatesSerializer(Output):
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class MeFlatRowSerializer(Output):
    code = serializers.CharField()
    building = serializers.CharField()
    layout = serializers.CharField()
    area = serializers.DecimalField(max_digits=8, decimal_places=2)


def _money(**kwargs):
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


def _area(**kwargs):
    return serializers.DecimalField(max_digits=8, decimal_places=2, **kwargs)


class MeChosenFlatsSerializer(Output):
    confirmed_at = serializers.DateTimeField()
    flats = MeFlatRowSerializer(many=True)
    entitled_area = _area()
    total_area = _area()
    excess_area = _area()
    shortfall_area = _area()
    excess_amount = _money()
    refund_amount = _money()
    floor_amount = _money()
    balance = _money(help_text="Positive: the household pays; negative: it is paid.")


class MeMilestoneRowSerializer(Output):
    name = serializers.CharField()
    state = serializers.CharField()
    state_code = serializers.CharField()
    percent = serializers.IntegerField()
    planned_finish = serializers.DateField(allow_null=True)
    actual_finish = serializers.DateField(allow_null=True)


class MeBuildingProgressSerializer(Output):
    code = serializers.CharField()
    progress = serializers.DecimalField(max_digits=5, decimal_places=2)
    stage = serializers.CharField()
    planned_delivery_date = serializers.DateField(allow_null=True)
    milestones = MeMilestoneRowSerializer(many=True)


class MeHandoverAppointmentSerializer(Output):
    batch = serializers.CharField()
    place = serializers.CharField()
    day = serializers.DateField()
    half_day = serializers.CharField()
    desk = serializers.IntegerField()
    order_no = serializers.IntegerField()
    status = serializers.CharField()
    status_code = serializers.CharField()
    phone = serializers.CharField()


class MeDocumentRowSerializer(Output):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    status = serializers.CharField()
    status_code = serializers.CharField()
    size = serializers.IntegerField(allow_null=True, help_text="Null while being prepared.")
    url = serializers.SerializerMethodField()

    def get_url(self, document) -> str | None:
        if document.size is None:
            return None
        path = reverse("api:me-document", args=[document.pk])
        return self.context["request"].build_absolute_uri(path)


class MeHouseholdSerializer(Output):
    project = serializers.CharField(source="project.code")
    project_name = serializers.CharField(source="project.name")
    village = serializers.CharField(source="village.name")
    agreement_no = serializers.CharField()
    head_name = serializers.CharField()
    entitled_area = _area()
    status_code = serializers.CharField(source="status")


class MeSerializer(Output):
    household = MeHouseholdSerializer()
    status = serializers.CharField()
    next_step = serializers.CharField()
    bring = serializers.ListField(child=serializers.CharField())
    members = MeMemberSerializer(many=True)
    lottery = MeLotteryPlaceSerializer(allow_null=True)
    order_no = serializers.IntegerField(allow_null=True)
    order_total = serializers.IntegerField(allow_null=True)
    queue = MeQueuePlaceSerializer(allow_null=True)
    events = MeEventDatesSerializer(many=True)
    chosen = MeChosenFlatsSerializer(allow_null=True)
    buildings = MeBuildingProgressSerializer(many=True)
    appointment = MeHandoverAppointmentSerializer(allow_null=True)
    documents = MeDocumentRowSerializer(many=True)
