from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from resettlement.demo import scenario
from resettlement.demo.loader import demo_load


class Command(BaseCommand):
    help = (
        "Load the synthetic demo dataset (雁塔区: 青龙寺组团 and 漳浒片区) and one login per role. "
        "Safe to run again: what exists is left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="load even when DEBUG is false (demo logins share a published password)",
        )

    def handle(self, *args, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is false: refusing to create demo users with a published password. "
                "Use --allow-production on a throwaway database only."
            )
        for line in demo_load():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {scenario.DEMO_PASSWORD})"))
        for username, full_name, role, projects in scenario.USERS:
            scope = ", ".join(projects) if projects else "all projects"
            self.stdout.write(f"  {username:<12} {role:<8} {full_name}  [{scope}]")
