from django.urls import path

from resettlement.handover.views import pages, printing

app_name = "handover"

urlpatterns = [
    path("projects/<slug:code>/handover/", pages.project_handover, name="project"),
    path("handover/batches/<int:pk>/", pages.batch_detail, name="batch"),
    path("handover/batches/<int:pk>/assign/", pages.batch_assign, name="batch-assign"),
    path("handover/batches/<int:pk>/close/", pages.batch_close, name="batch-close"),
    path("handover/batches/<int:pk>/defects/", pages.batch_defects, name="batch-defects"),
    path("handover/batches/<int:pk>/day/<str:day>/", pages.desk_day, name="day"),
    path("handover/appointments/<int:pk>/", pages.appointment_page, name="appointment"),
    path("handover/appointments/<int:pk>/notice.pdf", pages.notice_pdf, name="notice"),
    path(
        "handover/appointments/<int:pk>/inspection/",
        pages.inspection_add,
        name="inspection-add",
    ),
    path("handover/appointments/<int:pk>/handover/", pages.handover_add, name="handover-add"),
    path(
        "handover/appointments/<int:pk>/<str:step>/",
        pages.appointment_step,
        name="appointment-step",
    ),
    path("handover/defects/<int:pk>/photo/", pages.defect_photo, name="defect-photo"),
    path(
        "handover/defects/<int:pk>/thumbnail/",
        pages.defect_photo,
        {"size": "thumb"},
        name="defect-photo-thumb",
    ),
    path("handover/defects/<int:pk>/<str:step>/", pages.defect_step, name="defect-step"),
    path("handover/handovers/<int:pk>/", pages.handover_detail, name="handover"),
    path("handover/handovers/<int:pk>/undo/", pages.handover_undo, name="handover-undo"),
    path(
        "handover/handovers/<int:pk>/<str:kind>.pdf",
        pages.handover_paper_pdf,
        name="handover-paper",
    ),
    *printing.urlpatterns,
]
