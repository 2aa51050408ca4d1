"""Facebook Login (OAuth2 + Graph API): simulator for development and tests."""
