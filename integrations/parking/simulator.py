"""Simulator of the parking system (Cityform) (contract in `contract.py`).

Run it alone:

    python -m integrations.parking.simulator --port 8103 [--token dev-parking-token]
        [--latency-ms 0] [--error-rate 0] [--timeout-rate 0]

(env: PARKING_SIM_HOST, PARKING_SIM_PORT, PARKING_TOKEN, PARKING_SIM_LATENCY_MS,
PARKING_SIM_ERROR_RATE, PARKING_SIM_TIMEOUT_RATE), or from a test:
`server, base_url = start_in_thread()`.

Permits live in memory. It starts with one valid permit, for Fehér Béla's car
(`population.NEIGHBOUR_PERMIT_PLATE`: "the plate already has a valid permit"), and blocks
`population.PARKING_BLOCKED_PLATE` (unpaid parking penalties). Permit numbers are a serial per
year from `first_serial` (tests: 123, so the first is HV-<year>-000123; the dev launcher takes
it from the clock, so a restarted simulator does not hand out a number it handed out before).

Control endpoints (no auth; loopback only):
    POST /_sim/faults  {"latency_ms", "error_rate", "timeout_rate", "timeout_sleep_ms", "error_next",
                        "retry_after_s"}   (as the registry simulator)
    GET  /_sim/stats   {"calls": {"POST /v1/permits": 2}, "idempotency_keys": {...}, "request_ids": [...],
                        "faults": {...}, "created_permits": 1, "revoked_permits": 0}
    POST /_sim/reset   clears faults, stats, the idempotency cache and the permits (back to the seed)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from integrations.parking.contract import (
    PERMITS_PATH,
    PRECHECK_PATH,
    ZONES,
    Permit,
    PrecheckReason,
    PrecheckResult,
    normalise_plate,
    permit_number,
    permit_valid_until,
)
from integrations.registry.population import FEHER_BELA, NEIGHBOUR_PERMIT_PLATE, PARKING_BLOCKED_PLATE
from integrations.simkit import (
    Answer,
    BadRequest,
    ContractHandler,
    ContractState,
    Faults,
    SimServer,
    require_date,
    require_object,
    require_str,
    serial_start_from_clock,
    serve_in_thread,
    standalone_main,
)
from integrations.simkit import faults_from_env as _faults_from_env

DEFAULT_TOKEN = "dev-parking-token"  # noqa: S105 - equals the settings default, dev only
DEFAULT_FIRST_SERIAL = 123
SEED_PERMIT_SERIAL = 42
BUDAPEST = ZoneInfo("Europe/Budapest")

REASONS = {
    "plate_has_valid_permit": (
        "A rendszámhoz már tartozik érvényes várakozási hozzájárulás.",
        "The plate already has a valid permit.",
    ),
    "zone_unknown": ("Ismeretlen várakozási övezet: {zone}.", "Unknown parking zone: {zone}."),
    "plate_blocked": (
        "A rendszám a parkolási rendszerben tiltólistán van (rendezetlen pótdíjtartozás).",
        "The plate is blocked in the parking system (unpaid parking penalties).",
    ),
}


def today() -> date:
    return datetime.now(BUDAPEST).date()


def _reason(code: str, **values: str) -> PrecheckReason:
    hungarian, english = REASONS[code]
    return PrecheckReason(code=code, message_hu=hungarian.format(**values), message_en=english.format(**values))


class ParkingState(ContractState):
    def __init__(
        self, *, token: str, faults: Faults | None = None, seed: int = 1, first_serial: int = DEFAULT_FIRST_SERIAL
    ) -> None:
        self.first_serial = first_serial
        self.blocked_plates = frozenset({PARKING_BLOCKED_PLATE})
        super().__init__(token=token, faults=faults, seed=seed)

    def reset_data(self) -> None:
        seed_from = today() - timedelta(days=120)
        seeded = Permit(
            permit_number=permit_number(seed_from.year, SEED_PERMIT_SERIAL),
            plate=NEIGHBOUR_PERMIT_PLATE,
            zone=ZONES[0],
            valid_from=seed_from,
            valid_until=permit_valid_until(seed_from),
            status="active",
        )
        self.permits: dict[str, Permit] = {seeded.permit_number: seeded}
        self.holders: dict[str, tuple[str, str]] = {seeded.permit_number: (FEHER_BELA.person_id, FEHER_BELA.full_name)}
        self.serials: dict[int, int] = {}
        self.created_permits = 0
        self.revoked_permits = 0

    def extra_stats(self) -> dict[str, Any]:
        return {"created_permits": self.created_permits, "revoked_permits": self.revoked_permits}

    def of_plate(self, plate: str) -> list[Permit]:
        return sorted((p for p in self.permits.values() if p.plate == plate), key=lambda p: p.permit_number)

    def next_number(self) -> str:
        year = today().year
        serial = self.serials.get(year, self.first_serial)
        self.serials[year] = serial + 1
        return permit_number(year, serial)


class ParkingHandler(ContractHandler):
    server: ParkingServer

    @property
    def state(self) -> ParkingState:
        return self.server.state

    def do_GET(self) -> None:
        if self.handle_control("GET"):
            return
        if self.path_only == "/healthz":
            self.send_json(200, {"status": "ok"})
        elif self.path_only == PERMITS_PATH:
            self.serve(f"GET {PERMITS_PATH}", self.answer_list, idempotency="none")
        else:
            self.send_json(404, {"error": "no_such_endpoint"})

    def do_POST(self) -> None:
        path = self.path_only
        raw = self.read_body()
        if self.handle_control("POST", raw):
            return
        if path == PRECHECK_PATH:
            self.serve(f"POST {PRECHECK_PATH}", self.answer_precheck, raw)
        elif path == PERMITS_PATH:
            self.serve(
                f"POST {PERMITS_PATH}", self.answer_create, raw, idempotency="required", replay_statuses=(201, 409)
            )
        elif path.startswith(f"{PERMITS_PATH}/") and path.endswith("/revoke"):
            number = unquote(path[len(PERMITS_PATH) + 1 : -len("/revoke")])
            self.serve(f"POST {PERMITS_PATH}/{{permit_number}}/revoke", lambda data: self.answer_revoke(number), raw)
        else:
            self.send_json(404, {"error": "no_such_endpoint"})

    @staticmethod
    def _plate(data: dict[str, Any]) -> str:
        try:
            return normalise_plate(require_str(data, "plate", max_length=20))
        except ValueError as exc:
            raise BadRequest(str(exc)) from None

    def answer_precheck(self, data: Any) -> Answer:
        data = require_object(data)
        plate = self._plate(data)
        zone = require_str(data, "zone", max_length=40)
        require_str(data, "holder_person_id", allow_empty=True, max_length=64)
        if not isinstance(data.get("holder_address"), dict):
            raise BadRequest("holder_address must be an object")
        reasons = []
        if zone not in ZONES:
            reasons.append(_reason("zone_unknown", zone=zone))
        day = today()
        if any(p.status == "active" and p.valid_until >= day for p in self.state.of_plate(plate)):
            reasons.append(_reason("plate_has_valid_permit"))
        if plate in self.state.blocked_plates:
            reasons.append(_reason("plate_blocked"))
        return 200, PrecheckResult(ok=not reasons, reasons=tuple(reasons)).to_json()

    def answer_create(self, data: Any) -> Answer:
        data = require_object(data)
        plate = self._plate(data)
        zone = require_str(data, "zone", max_length=40)
        holder_person_id = require_str(data, "holder_person_id", max_length=64)
        holder_name = require_str(data, "holder_name", max_length=200)
        valid_from = require_date(data, "valid_from")
        if zone not in ZONES:
            raise BadRequest(f"zone must be one of {', '.join(ZONES)}")
        valid_until = permit_valid_until(valid_from)
        for existing in self.state.of_plate(plate):
            if (
                existing.status == "active"
                and existing.valid_from <= valid_until
                and valid_from <= existing.valid_until
            ):
                return 409, {"error": "plate_has_valid_permit", "permit_number": existing.permit_number}
        if plate in self.state.blocked_plates:
            return 409, {"error": "plate_blocked"}
        permit = Permit(
            permit_number=self.state.next_number(),
            plate=plate,
            zone=zone,
            valid_from=valid_from,
            valid_until=valid_until,
            status="active",
        )
        self.state.permits[permit.permit_number] = permit
        self.state.holders[permit.permit_number] = (holder_person_id, holder_name)
        self.state.created_permits += 1
        return 201, permit.to_json()

    def answer_list(self, data: Any) -> Answer:
        try:
            plate = normalise_plate(self.query.get("plate", ""))
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        permits = sorted(self.state.of_plate(plate), key=lambda p: (p.valid_from, p.permit_number), reverse=True)
        return 200, {"permits": [p.to_json() for p in permits]}

    def answer_revoke(self, number: str) -> Answer:
        permit = self.state.permits.get(number)
        if permit is None:
            return 404, {"error": "not_found"}
        if permit.status != "revoked":
            permit = replace(permit, status="revoked")
            self.state.permits[number] = permit
            self.state.revoked_permits += 1
        return 200, permit.to_json()


class ParkingServer(SimServer):
    def __init__(self, address: tuple[str, int], state: ParkingState, verbose: bool = False) -> None:
        self.state = state
        self.verbose = verbose
        super().__init__(address, ParkingHandler)


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    token: str = DEFAULT_TOKEN,
    faults: Faults | None = None,
    first_serial: int = DEFAULT_FIRST_SERIAL,
    verbose: bool = False,
) -> ParkingServer:
    state = ParkingState(token=token, faults=faults, first_serial=first_serial)
    return ParkingServer((host, port), state, verbose=verbose)


def start_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    token: str = DEFAULT_TOKEN,
    faults: Faults | None = None,
    first_serial: int = DEFAULT_FIRST_SERIAL,
) -> tuple[ParkingServer, str]:
    """Start the simulator on a daemon thread; returns (server, base_url). Stop: `server.shutdown()`."""
    return serve_in_thread(make_server(host, port, token=token, faults=faults, first_serial=first_serial))


def faults_from_env() -> Faults:
    return _faults_from_env("PARKING")


def main(argv: list[str] | None = None) -> None:
    standalone_main(
        argv,
        name="parking",
        description="Parking system (Cityform) simulator",
        env_prefix="PARKING",
        default_port=8103,
        default_token=DEFAULT_TOKEN,
        make_server=make_server,
        first_serial=serial_start_from_clock(),
    )


if __name__ == "__main__":
    main()
