"""项目主管: records exceptions to the milestone order and edits a project's template."""

from django.db import migrations


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="项目主管")


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="项目主管").delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_roles")]

    operations = [migrations.RunPython(create_role, remove_role)]
