"""Content engine: Wagtail page types (home, standard pages; later news, service pages and the
knowledge base), snippets, the headless page API used by the SPA, and search."""
