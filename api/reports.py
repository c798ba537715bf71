"""GET /api/v1/reports/progress/: the progress report's figures as JSON, for the district's
own dashboards (resettlement.reports.figures), with the same permissions as the report:
leaders every project, project teams and supervisors their own, desk clerks none."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import HasCapability
from resettlement.accounts.access import Capability, projects_where
from resettlement.reports.figures import progress_figures

ERROR_FUTURE = _("A report cannot be dated after today (%(today)s).")
ERROR_PROJECT = _("No project with this code is visible to you.")


class ReportQuery(serializers.Serializer):
    project = serializers.CharField(required=False, allow_blank=True, max_length=30)
    date = serializers.DateField(required=False)

    def validate_date(self, value):
        today = timezone.localdate()
        if value > today:
            raise serializers.ValidationError(str(ERROR_FUTURE % {"today": today.isoformat()}))
        return value


class TallySerializer(serializers.Serializer):
    now = serializers.IntegerField(help_text="on the report's date")
    before = serializers.IntegerField(help_text="on the date compared with, a week before")
    change = serializers.IntegerField()


class BuildingFiguresSerializer(serializers.Serializer):
    code = serializers.CharField()
    village = serializers.CharField()
    phase = serializers.CharField()
    phase_label = serializers.CharField()
    progress = serializers.DecimalField(max_digits=5, decimal_places=2)
    next_node = serializers.CharField(help_text="first node not complete; empty when none")
    next_planned = serializers.DateField(allow_null=True)
    days_late = serializers.IntegerField()
    topped_out = serializers.BooleanField()
    accepted = serializers.BooleanField(help_text="竣工验收 complete")
    flats = serializers.IntegerField()
    flats_selected = serializers.IntegerField()
    flats_handed_over = serializers.IntegerField()
    flats_handed_over_change = serializers.IntegerField(help_text="since a week before")


class LateMilestoneSerializer(serializers.Serializer):
    building = serializers.CharField()
    node = serializers.CharField()
    planned_finish = serializers.DateField()
    days_late = serializers.IntegerField()


class VillageFiguresSerializer(serializers.Serializer):
    name = serializers.CharField()
    households = serializers.DictField(child=TallySerializer(), help_text="by household status")
    households_selected = TallySerializer(source="selected")
    households_handed_over = TallySerializer(source="handed_over")
    buildings = serializers.IntegerField()
    buildings_topped_out = serializers.IntegerField(source="topped_out")
    buildings_accepted = serializers.IntegerField(source="accepted")
    in_progress = serializers.ListField(
        child=serializers.CharField(), help_text="nodes under way in its buildings"
    )


class SelectionFiguresSerializer(serializers.Serializer):
    days_held = TallySerializer(help_text="selection days opened")
    served = TallySerializer(help_text="households that chose their flats at a desk")
    skipped = TallySerializer(help_text="households that lost their turn")
    absences = TallySerializer(help_text="times a called household was absent")


class ProjectFiguresSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    households = serializers.DictField(child=TallySerializer(), help_text="by household status")
    households_selected = TallySerializer(source="selected")
    households_handed_over = TallySerializer(source="handed_over")
    flats = serializers.DictField(child=TallySerializer(), help_text="by flat status")
    buildings_by_phase = serializers.DictField(
        child=TallySerializer(), source="stages", help_text="buildings by phase"
    )
    buildings_topped_out = TallySerializer(source="topped_out")
    buildings_accepted = TallySerializer(source="accepted")
    villages = VillageFiguresSerializer(many=True)
    selection = SelectionFiguresSerializer()
    buildings = BuildingFiguresSerializer(many=True)
    late = LateMilestoneSerializer(many=True)


class ProgressReportSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    compared_with = serializers.DateField()
    projects = ProjectFiguresSerializer(many=True)


@extend_schema(
    summary="Progress report figures",
    description=(
        "The figures of the progress report (回迁安置工作进展报告) as they stood at the end of "
        "`date` (Asia/Shanghai; default today), beside those a week before: households and "
        "flats by status, each building's phase, progress, next node and days late, and the "
        "milestones late. A past date gives that day's figures, read from the history."
    ),
    parameters=[
        OpenApiParameter("project", str, description="project code; default every project"),
        OpenApiParameter("date", str, description="YYYY-MM-DD, not after today"),
    ],
    responses=ProgressReportSerializer,
)
class ProgressReportView(APIView):
    permission_classes = [IsAuthenticated, HasCapability]
    read_capability = Capability.VIEW_REPORTS

    def get(self, request):
        query = ReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        projects = projects_where(request.user, Capability.VIEW_REPORTS)
        code = query.validated_data.get("project", "")
        if code:
            projects = projects.filter(code=code)
            if not projects.exists():
                raise Http404(ERROR_PROJECT)
        as_of = query.validated_data.get("date") or timezone.localdate()
        figures = progress_figures(projects, as_of)
        return Response(ProgressReportSerializer(figures).data)
