"""The case engine: a resident's application for an e-service, processed by a pipeline of
idempotent steps stored as a state machine in PostgreSQL (register arrival, registry checks,
decide, create the permit, render, sign, issue, notify). Each service type adds one module
under `eservices/servicetypes/` with its eligibility rules and decision texts."""
