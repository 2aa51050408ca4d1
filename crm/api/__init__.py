"""The CRM's staff API (`/api/staff/v1/crm/`): JSON for the staff screens and for other
back-office tools. Session authentication of a staff sign-in that passed its second factor."""
