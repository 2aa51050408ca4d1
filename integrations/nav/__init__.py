"""NAV Online Számla v3.0: reporting invoice data to the Hungarian tax authority (client, contract, simulator)."""
