"""Resident accounts and identity verification, the case engine and its service types,
decisions and documents, and the resident REST API."""
