import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    """The CRM's messages are asserted in their English source form here, whatever the
    Hungarian catalogue says (the browser tests read the Hungarian screens)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
