"""Newsletter (eDM) service: newsletter types with their branding, templates and ready contents, campaigns, per-section addressing, personalised multipart MIME rendering, sending, open/click tracking, bounces and SMS.

No models yet: this package marks the place where the capability lands.
"""
