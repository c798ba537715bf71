import shutil
import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from maps.formats import (
    ERROR_IMPORT_FORMAT,
    EXPORT_DRIVERS,
    IMPORT_SUFFIXES,
    too_large_message,
    upload_max_bytes,
)
from maps.palette import legend
from maps.uploads import UploadLimit
from resettlement.accounts.access import Capability, project_or_404, projects_where
from resettlement.forms import Form
from resettlement.imports.models import ImportBatch, ImportKind


@login_required
def map_page(request):
    projects = list(projects_where(request.user).order_by("code"))
    selected = request.GET.get("project", "")
    if selected not in {project.code for project in projects}:
        selected = ""
    tiles = settings.MAP_TILES
    config = {
        "buildings_url": reverse("api:geo-buildings"),
        "villages_url": reverse("api:geo-villages"),
        "legend": legend(),
        "tiles": tiles,
        "center": settings.LEAFLET_CONFIG["DEFAULT_CENTER"],
        "zoom": settings.LEAFLET_CONFIG["DEFAULT_ZOOM"],
        "text": {
            "legend": _("Phase legend"),
            "stage": _("Current stage"),
            "progress": _("Progress"),
            "flats": _("Flats"),
            "flat_counts": _("%(total)s, %(selected)s selected, %(handed_over)s handed over"),
            "handed_over": _("Flats handed over"),
            "to_hand_over": _("Flats to hand over"),
            "village": _("Village"),
            "all_complete": _("All nodes complete"),
            "days_late": _("%(days)s days behind plan"),
            "open_building": _("Open the building page"),
            "load_error": _("The map data could not be loaded."),
        },
    }
    return render(
        request,
        "maps/map.html",
        {
            "config": config,
            "projects": projects,
            "selected": selected,
            "tiles_url": tiles["url"],
            "tiles_crs": tiles["crs"],
            "nav": "map",
        },
    )


@login_required
def project_map_image(request, code: str):
    from maps.static_map import project_map_png  # matplotlib: imported when first needed

    project = project_or_404(request.user, code)
    response = HttpResponse(project_map_png(project), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{project.code}-map.png"'
    return response


class GeometryUploadForm(Form):
    file = forms.FileField(
        label=gettext_lazy("GIS file"),
        help_text=gettext_lazy("GeoJSON, GeoPackage, zipped Shapefile (.zip), KML, KMZ or DXF."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_SUFFIXES)}),
    )
    layer = forms.CharField(label=gettext_lazy("Layer"), required=False)
    crs = forms.CharField(
        label=gettext_lazy("Coordinate system"),
        required=False,
        help_text=gettext_lazy("Only for a file that states none, e.g. EPSG:4545."),
    )
    match_field = forms.CharField(label=gettext_lazy("Code field"), required=False)
    target = forms.ChoiceField(
        label=gettext_lazy("Match to"),
        required=False,
        choices=[
            ("", gettext_lazy("whichever the codes match")),
            ("buildings", pgettext_lazy("geodata target", "buildings")),
            ("villages", pgettext_lazy("geodata target", "villages")),
        ],
    )
    dry_run = forms.BooleanField(label=gettext_lazy("Check only, write nothing"), required=False)

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        if too_large:  # the upload handler dropped the file: say why, not "required"
            self.fields["file"].required = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if self.too_large or (upload and upload.size > upload_max_bytes()):
            raise forms.ValidationError(too_large_message())
        if Path(upload.name).suffix.lower() not in IMPORT_SUFFIXES:
            raise forms.ValidationError(ERROR_IMPORT_FORMAT)
        return upload


@csrf_exempt  # checked by _geometry_upload, once the upload limit is in place
@login_required
def geometry_page(request, code: str):
    """The upload limit must be the first upload handler before anything reads the body, the
    CSRF check included (Django's documented pattern for changing upload handlers)."""
    project = project_or_404(request.user, code, Capability.MANAGE_GEOMETRY)
    limit = UploadLimit(request, max_bytes=upload_max_bytes())
    request.upload_handlers.insert(0, limit)
    return _geometry_upload(request, project, limit)


@csrf_protect
def _geometry_upload(request, project, limit: UploadLimit):
    from maps.importing import geometry_import  # geopandas: imported when first needed

    form = GeometryUploadForm()
    if request.method == "POST":
        data, files = request.POST, request.FILES  # read through the limit
        form = GeometryUploadForm(data, files, too_large=limit.exceeded)
    result = None
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory(prefix="geodata-upload-") as folder:
            path = Path(folder) / f"upload{Path(upload.name).suffix.lower()}"
            with path.open("wb") as target:
                for chunk in upload.chunks():
                    target.write(chunk)
            result = geometry_import(
                project=project,
                path=path,
                filename=upload.name,
                layer=form.cleaned_data["layer"] or None,
                crs=form.cleaned_data["crs"] or None,
                match_field=form.cleaned_data["match_field"] or None,
                target=form.cleaned_data["target"] or None,
                dry_run=form.cleaned_data["dry_run"],
                by=request.user,
            )
    batches = ImportBatch.objects.filter(project=project, kind=ImportKind.GEOMETRY).select_related(
        "created_by"
    )[:10]
    return render(
        request,
        "maps/geometry.html",
        {"project": project, "form": form, "result": result, "batches": batches, "nav": "projects"},
    )


@login_required
def geometry_download(request, code: str, extension: str):
    from maps.exporting import geometry_export  # geopandas: imported when first needed

    project = project_or_404(request.user, code)
    if f".{extension}" not in EXPORT_DRIVERS:
        raise Http404
    folder = tempfile.mkdtemp(prefix="export-")
    path = Path(folder) / f"{project.code}-buildings.{extension}"
    geometry_export(project=project, path=path)
    content = path.read_bytes()
    shutil.rmtree(folder, ignore_errors=True)
    content_type = (
        "application/geopackage+sqlite3" if extension == "gpkg" else "application/geo+json"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{path.name}"'
    return response
