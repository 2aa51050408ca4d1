"""Development SMTP sink and the reader of what it caught."""
