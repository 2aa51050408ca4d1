"""Client relationship management: one record per client, contacts, tags, groups, quick and complex searches, saved searches, data cleansing (validation, gender inference, duplicate detection) and the client timeline.

No models yet: this package marks the place where the capability lands.
"""
