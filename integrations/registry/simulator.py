"""Simulator of the person-and-address registry and its vehicle register (contract in `contract.py`).

Run it alone:

    python -m integrations.registry.simulator --port 8101 [--token dev-registry-token]
        [--latency-ms 0] [--error-rate 0] [--timeout-rate 0]

(env: REGISTRY_SIM_HOST, REGISTRY_SIM_PORT, REGISTRY_TOKEN, REGISTRY_SIM_LATENCY_MS,
REGISTRY_SIM_ERROR_RATE, REGISTRY_SIM_TIMEOUT_RATE), or from a test:
`server, base_url = start_in_thread()`.

It knows the demo residents of `population.py` and a seeded population of 300 others, and
their vehicles (`build_vehicles`).

Control endpoints (no auth; loopback only):
    POST /_sim/faults  {"latency_ms": 0, "error_rate": 0..1, "timeout_rate": 0..1,
                        "timeout_sleep_ms": 10000, "error_next": 0, "retry_after_s": null}
        error = 503 {"error": "unavailable"}; timeout = sleep `timeout_sleep_ms` (longer than
        the client's timeout) before answering; `error_next` fails exactly the next N calls.
    GET  /_sim/stats   {"calls": {"POST /v1/persons/lookup": 3}, "idempotency_keys": {"k": 3},
                        "request_ids": [...], "faults": {...}}
    POST /_sim/reset   clears faults, stats and the idempotency cache
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from integrations.registry.contract import (
    DOCUMENT_TYPES,
    LOOKUP_PATH,
    PERSON_GET_PATH,
    VEHICLE_GET_PATH,
    VEHICLES_BY_OWNER_PATH,
    PersonRecord,
    VehicleRecord,
    normalise_document_number,
    normalise_plate,
)
from integrations.registry.population import build_population, build_vehicles
from integrations.simkit import (
    Answer,
    BadRequest,
    ContractHandler,
    ContractState,
    Faults,
    SimServer,
    require_object,
    require_str,
    serve_in_thread,
    standalone_main,
)
from integrations.simkit import faults_from_env as _faults_from_env

__all__ = ["DEFAULT_TOKEN", "Faults", "RegistryState", "make_server", "start_in_thread", "faults_from_env", "main"]

DEFAULT_TOKEN = "dev-registry-token"  # noqa: S105 - equals the settings default, dev only


class RegistryState(ContractState):
    def __init__(self, *, token: str, faults: Faults | None = None, seed: int = 1) -> None:
        self.people = build_population()
        self.people_by_id: dict[str, PersonRecord] = {p.person_id: p for p in self.people.values()}
        self.vehicles = build_vehicles()
        owned: dict[str, list[VehicleRecord]] = defaultdict(list)
        for vehicle in self.vehicles.values():
            if vehicle.owner_person_id:
                owned[vehicle.owner_person_id].append(vehicle)
        self.vehicles_by_owner = {
            owner: sorted(vehicles, key=lambda v: (v.owner_since, v.plate)) for owner, vehicles in owned.items()
        }
        super().__init__(token=token, faults=faults, seed=seed)


class RegistryHandler(ContractHandler):
    server: RegistryServer

    @property
    def state(self) -> RegistryState:
        return self.server.state

    def do_GET(self) -> None:
        if self.handle_control("GET"):
            return
        if self.path_only == "/healthz":
            self.send_json(200, {"status": "ok", "people": len(self.state.people)})
        else:
            self.send_json(404, {"error": "no_such_endpoint"})

    def do_POST(self) -> None:
        path = self.path_only
        raw = self.read_body()
        if self.handle_control("POST", raw):
            return
        answers = {
            LOOKUP_PATH: self.answer_lookup,
            PERSON_GET_PATH: self.answer_person_get,
            VEHICLES_BY_OWNER_PATH: self.answer_vehicles_by_owner,
            VEHICLE_GET_PATH: self.answer_vehicle_get,
        }
        if path in answers:
            self.serve(f"POST {path}", answers[path], raw)
        else:
            self.send_json(404, {"error": "no_such_endpoint"})

    def answer_lookup(self, data: Any) -> Answer:
        data = require_object(data)
        document_type = data.get("document_type")
        document_number = data.get("document_number")
        if document_type not in DOCUMENT_TYPES:
            raise BadRequest(f"document_type must be one of {', '.join(DOCUMENT_TYPES)}")
        if not isinstance(document_number, str) or not (5 <= len(normalise_document_number(document_number)) <= 12):
            raise BadRequest("document_number must be 5 to 12 letters or digits")
        person = self.state.people.get((document_type, normalise_document_number(document_number)))
        if person is None:
            return 404, {"error": "not_found"}
        return 200, {"person": person.to_json()}

    def answer_person_get(self, data: Any) -> Answer:
        person = self.state.people_by_id.get(require_str(require_object(data), "person_id", max_length=64))
        if person is None:
            return 404, {"error": "not_found"}
        return 200, {"person": person.to_json()}

    def answer_vehicles_by_owner(self, data: Any) -> Answer:
        person_id = require_str(require_object(data), "person_id", max_length=64)
        if person_id not in self.state.people_by_id:
            return 404, {"error": "not_found"}
        return 200, {"vehicles": [v.to_json() for v in self.state.vehicles_by_owner.get(person_id, [])]}

    def answer_vehicle_get(self, data: Any) -> Answer:
        try:
            plate = normalise_plate(require_str(require_object(data), "plate", max_length=20))
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        vehicle = self.state.vehicles.get(plate)
        if vehicle is None:
            return 404, {"error": "not_found"}
        return 200, {"vehicle": vehicle.to_json()}


class RegistryServer(SimServer):
    def __init__(self, address: tuple[str, int], state: RegistryState, verbose: bool = False) -> None:
        self.state = state
        self.verbose = verbose
        super().__init__(address, RegistryHandler)


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    token: str = DEFAULT_TOKEN,
    faults: Faults | None = None,
    verbose: bool = False,
) -> RegistryServer:
    return RegistryServer((host, port), RegistryState(token=token, faults=faults), verbose=verbose)


def start_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    token: str = DEFAULT_TOKEN,
    faults: Faults | None = None,
) -> tuple[RegistryServer, str]:
    """Start the simulator on a daemon thread; returns (server, base_url). Stop: `server.shutdown()`."""
    return serve_in_thread(make_server(host, port, token=token, faults=faults))


def faults_from_env() -> Faults:
    return _faults_from_env("REGISTRY")


def main(argv: list[str] | None = None) -> None:
    standalone_main(
        argv,
        name="registry",
        description="Person-and-address registry simulator",
        env_prefix="REGISTRY",
        default_port=8101,
        default_token=DEFAULT_TOKEN,
        make_server=make_server,
    )


if __name__ == "__main__":
    main()
