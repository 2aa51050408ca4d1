from django.core.management.base import BaseCommand

from backend.demo import demo_cases_load


class Command(BaseCommand):
    help = "Process a demo parking-permit case through the running simulators (once)."

    def handle(self, *args, **options):
        try:
            done = demo_cases_load()
        except Exception as exc:  # the demo must not stop the dev stack
            self.stderr.write(f"Demo case not created: {type(exc).__name__}: {exc}")
            return
        self.stdout.write("Demo cases: " + (", ".join(done) if done else "already present."))
