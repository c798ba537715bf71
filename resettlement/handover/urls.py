from resettlement.handover.views import printing

app_name = "handover"

urlpatterns: list = [*printing.urlpatterns]
