"""Government customer information centre: inquiries from every channel (phone, email, SMS, fax, web), routing to operators, escalation to experts, redirection to other agencies, SLA clocks, satisfaction measurement and appointment booking.

No models yet: this package marks the place where the capability lands.
"""
