from django.core.management.base import BaseCommand

from backend.demo import demo_data_load


class Command(BaseCommand):
    help = "Load the demo data once (staff for every role, residents, home pages)."

    def handle(self, *args, **options):
        loaded = demo_data_load()
        self.stdout.write("Demo data loaded." if loaded else "Demo data already present.")
