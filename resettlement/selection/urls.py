from django.urls import path

from resettlement.selection import views

app_name = "selection"

urlpatterns = [
    path("projects/<slug:code>/selection/", views.event_list, name="events"),
    path("selection/<int:pk>/", views.event_detail, name="event"),
    path("selection/<int:pk>/step/<str:step>/", views.event_step, name="event-step"),
    path("selection/<int:pk>/summary/", views.event_summary, name="summary"),
    path("selection/<int:pk>/rules/", views.event_rules, name="rules"),
    path("selection/<int:pk>/board/", views.board_open, name="board-open"),
    path(
        "selection/<int:pk>/board-links/<int:link_pk>/revoke/",
        views.board_link_revoke,
        name="board-link-revoke",
    ),
    path("selection/<int:pk>/desks/<int:number>/", views.desk_console, name="desk-console"),
    path(
        "selection/<int:pk>/desks/<int:number>/<str:action>/",
        views.desk_action,
        name="desk-action",
    ),
    path("selections/<int:pk>/", views.selection_detail, name="detail"),
    path(
        "selections/<int:pk>/confirmation.pdf",
        views.selection_confirmation_pdf,
        name="confirmation",
    ),
    # Without login: a board link's token opens them until it expires or is revoked.
    path("board/<str:token>/", views.board, name="board"),
    path("board/<str:token>/data/", views.board_data, name="board-data"),
]
