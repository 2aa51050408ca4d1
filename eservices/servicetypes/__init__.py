"""Service types: one rules module per e-service, chosen by `ServiceType.rules_module`.

A rules module provides what the case engine and the decision need: `CODE`, `SUBJECT_HU`,
`OBJECT_HU` (what a granted decision gives, in the accusative), `RULES_VERSION`, `ZONE`,
`LEGAL_BASIS_HU`, `REMEDY_HU`, `RULE_NAMES_HU`, `evaluate(facts) -> [RuleResult]`,
`granted(results)` and `permit_dates(decided_on, validity_days)`. A new service of the same
shape is a module plus a `ServiceType` row (migration), and its code in `CODES`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from eservices.servicetypes import additional_vehicle_permit, parking_permit

# the services the engine has rules for (the API's choice list); open or closed is the catalogue's
CODES = (parking_permit.CODE, additional_vehicle_permit.CODE)
_BY_CODE = {parking_permit.CODE: parking_permit, additional_vehicle_permit.CODE: additional_vehicle_permit}


def rules_for(service_type) -> ModuleType:
    """The rules module of a `ServiceType` (or of a service code)."""
    if isinstance(service_type, str):
        return _BY_CODE[service_type]
    return _BY_CODE.get(service_type.code) or importlib.import_module(service_type.rules_module)
