"""Parking system (Cityform): residential parking permits — client, contract, simulator."""
