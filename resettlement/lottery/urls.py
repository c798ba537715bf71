from django.urls import path

from resettlement.lottery import views

app_name = "lottery"

urlpatterns = [
    path("projects/<slug:code>/lotteries/", views.lottery_list, name="list"),
    path("lotteries/<int:pk>/", views.lottery_detail, name="detail"),
    path("lotteries/<int:pk>/roster/", views.lottery_roster_build, name="roster-build"),
    path("lotteries/<int:pk>/entries/<int:entry_pk>/", views.lottery_entry_edit, name="entry"),
    path("lotteries/<int:pk>/pool/", views.lottery_pool, name="pool"),
    path("lotteries/<int:pk>/groups/", views.lottery_groups, name="groups"),
    path("lotteries/<int:pk>/freeze/", views.lottery_freeze_view, name="freeze"),
    path("lotteries/<int:pk>/draw/", views.lottery_draw_view, name="draw"),
    path("lotteries/<int:pk>/publish/", views.lottery_publish_view, name="publish"),
    path("lotteries/<int:pk>/cancel/", views.lottery_cancel_view, name="cancel"),
    path("lotteries/<int:pk>/redraw/", views.lottery_redraw_view, name="redraw"),
    path("lotteries/<int:pk>/notary/", views.lottery_notary_import, name="notary-import"),
    path("lotteries/<int:pk>/notice/", views.notice_preview, name="notice-preview"),
    path(
        "lotteries/<int:pk>/notice-details/",
        views.lottery_notice_details,
        name="notice-details",
    ),
    path("lotteries/<int:pk>/<str:name>", views.lottery_file, name="file"),
    # Public, without login: published notices and the links printed on them.
    path("notices/lottery_verify.py", views.verifier, name="verifier"),
    path("notices/lotteries/<uuid:token>/", views.notice, name="notice"),
    path("notices/lotteries/<uuid:token>/notice.pdf", views.notice_pdf, name="notice-pdf"),
    path("notices/lotteries/<uuid:token>/<str:name>", views.notice_file, name="notice-file"),
]
