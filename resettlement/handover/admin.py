from django.contrib import admin
from django_tasks_db.models import DBTaskResult

# Background tasks are followed on the pages that start them (a print job's progress); the
# task backend's own table is for the database, not for the administrators' screens.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
