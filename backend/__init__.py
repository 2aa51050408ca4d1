"""Django project of the Hegyvidék e-Portal: settings, URLs, WSGI, broker setup, demo data."""
