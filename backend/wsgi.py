import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

application = get_wsgi_application()

from backend.broker import start_inprocess_worker  # noqa: E402 - needs Django set up

start_inprocess_worker()
