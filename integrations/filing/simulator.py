"""Simulator of the filing system (Poszeidon) (contract in `contract.py`).

Run it alone:

    python -m integrations.filing.simulator --port 8104 [--token dev-filing-token]
        [--latency-ms 0] [--error-rate 0] [--timeout-rate 0]

(env: FILING_SIM_HOST, FILING_SIM_PORT, FILING_TOKEN, FILING_SIM_LATENCY_MS,
FILING_SIM_ERROR_RATE, FILING_SIM_TIMEOUT_RATE), or from a test:
`server, base_url = start_in_thread()`.

Matters live in memory, thread-safe. Main numbers go upwards per year from `first_main_number`
(tests: 1234, so the first arrival is XII/1234-1/<year>; the dev launcher takes it from the
clock, so a restarted simulator does not hand out a number it handed out before).

Control endpoints (no auth; loopback only):
    POST /_sim/faults  {"latency_ms", "error_rate", "timeout_rate", "timeout_sleep_ms", "error_next",
                        "retry_after_s"}   (as the registry simulator)
    GET  /_sim/stats   {"calls", "idempotency_keys", "request_ids", "faults",
                        "arrivals": 1, "documents": 1, "deliveries": 1,
                        "filing_numbers_issued": 2, "distinct_filing_numbers": 2,
                        "arrivals_by_case_reference": {"PP-2026-000017": 1}}
    POST /_sim/reset   clears faults, stats, the idempotency cache and every matter
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from integrations.filing.contract import (
    ARRIVAL_CHANNELS,
    ARRIVALS_PATH,
    DELIVERY_CHANNELS,
    DOCUMENT_KINDS,
    DOCUMENTS_PATH,
    FILINGS_PATH,
    Arrival,
    DeliveryRecord,
    FiledDocument,
    Filing,
    filing_number,
    is_sha256,
    main_number,
    main_number_of,
    parse_filing_number,
)
from integrations.simkit import (
    Answer,
    BadRequest,
    ContractHandler,
    ContractState,
    Faults,
    SimServer,
    require_datetime,
    require_object,
    require_str,
    serial_start_from_clock,
    serve_in_thread,
    standalone_main,
)
from integrations.simkit import faults_from_env as _faults_from_env

DEFAULT_TOKEN = "dev-filing-token"  # noqa: S105 - equals the settings default, dev only
DEFAULT_FIRST_MAIN_NUMBER = 1234
BUDAPEST = ZoneInfo("Europe/Budapest")


@dataclass
class Matter:
    main_number: str
    year: int
    arrival: Arrival
    documents: list[FiledDocument] = field(default_factory=list)

    def filing(self) -> Filing:
        return Filing(main_number=self.main_number, arrival=self.arrival, documents=tuple(self.documents))


class FilingState(ContractState):
    def __init__(
        self,
        *,
        token: str,
        faults: Faults | None = None,
        seed: int = 1,
        first_main_number: int = DEFAULT_FIRST_MAIN_NUMBER,
    ) -> None:
        self.first_main_number = first_main_number
        super().__init__(token=token, faults=faults, seed=seed)

    def reset_data(self) -> None:
        self.matters: dict[str, Matter] = {}
        self.next_main: dict[int, int] = {}
        self.issued_numbers: list[str] = []
        self.deliveries = 0
        self.arrivals_by_case_reference: dict[str, int] = {}

    def extra_stats(self) -> dict[str, Any]:
        return {
            "arrivals": len(self.matters),
            "documents": sum(len(m.documents) for m in self.matters.values()),
            "deliveries": self.deliveries,
            "filing_numbers_issued": len(self.issued_numbers),
            "distinct_filing_numbers": len(set(self.issued_numbers)),
            "arrivals_by_case_reference": dict(self.arrivals_by_case_reference),
        }

    def document(self, number: str) -> tuple[Matter, int] | None:
        try:
            main = main_number_of(number)
        except ValueError:
            return None
        matter = self.matters.get(main)
        if matter is None:
            return None
        for index, document in enumerate(matter.documents):
            if document.filing_number == number:
                return matter, index
        return None


class FilingHandler(ContractHandler):
    server: FilingServer

    @property
    def state(self) -> FilingState:
        return self.server.state

    def do_GET(self) -> None:
        if self.handle_control("GET"):
            return
        path = self.path_only
        if path == "/healthz":
            self.send_json(200, {"status": "ok"})
        elif path.startswith(f"{FILINGS_PATH}/"):
            number = unquote(path[len(FILINGS_PATH) + 1 :])
            self.serve(
                f"GET {FILINGS_PATH}/{{main_number}}", lambda data: self.answer_filing(number), idempotency="none"
            )
        else:
            self.send_json(404, {"error": "no_such_endpoint"})

    def do_POST(self) -> None:
        path = self.path_only
        raw = self.read_body()
        if self.handle_control("POST", raw):
            return
        if path == ARRIVALS_PATH:
            self.serve(f"POST {ARRIVALS_PATH}", self.answer_arrival, raw, idempotency="required")
        elif path == DOCUMENTS_PATH:
            self.serve(f"POST {DOCUMENTS_PATH}", self.answer_document, raw, idempotency="required")
        elif path.startswith(f"{DOCUMENTS_PATH}/") and path.endswith("/delivery"):
            number = unquote(path[len(DOCUMENTS_PATH) + 1 : -len("/delivery")])
            self.serve(
                f"POST {DOCUMENTS_PATH}/{{filing_number}}/delivery",
                lambda data: self.answer_delivery(number, data),
                raw,
                idempotency="none",  # idempotent by the filing number itself
            )
        else:
            self.send_json(404, {"error": "no_such_endpoint"})

    def _issue(self, number: str) -> str:
        self.state.issued_numbers.append(number)
        return number

    def answer_arrival(self, data: Any) -> Answer:
        data = require_object(data)
        case_reference = require_str(data, "case_reference", max_length=64)
        subject = require_str(data, "subject", max_length=500)
        classification = require_str(data, "classification", max_length=20)
        client = data.get("client")
        if not isinstance(client, dict):
            raise BadRequest("client must be an object with name and address")
        name = require_str(client, "name", max_length=200)
        address = require_str(client, "address", max_length=300)
        received_at = require_datetime(data, "received_at")
        channel = data.get("channel")
        if channel not in ARRIVAL_CHANNELS:
            raise BadRequest(f"channel must be one of {', '.join(ARRIVAL_CHANNELS)}")
        registered_at = datetime.now(BUDAPEST).replace(microsecond=0)
        year = registered_at.year
        number = self.state.next_main.get(year, self.state.first_main_number)
        self.state.next_main[year] = number + 1
        arrival = Arrival(
            filing_number=self._issue(filing_number(number, 1, year)),
            case_reference=case_reference,
            subject=subject,
            classification=classification,
            client_name=name,
            client_address=address,
            received_at=received_at,
            channel=channel,
            registered_at=registered_at,
        )
        self.state.matters[main_number(number, year)] = Matter(main_number(number, year), year, arrival)
        refs = self.state.arrivals_by_case_reference
        refs[case_reference] = refs.get(case_reference, 0) + 1
        return 201, {
            "filing_number": arrival.filing_number,
            "main_number": main_number(number, year),
            "registered_at": registered_at.isoformat(),
        }

    def answer_document(self, data: Any) -> Answer:
        data = require_object(data)
        try:
            main = main_number_of(require_str(data, "main_number", max_length=40))
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        kind = data.get("kind")
        if kind not in DOCUMENT_KINDS:
            raise BadRequest(f"kind must be one of {', '.join(DOCUMENT_KINDS)}")
        if not is_sha256(data.get("document_sha256")):
            raise BadRequest("document_sha256 must be 64 lower-case hex digits")
        issued_at = require_datetime(data, "issued_at")
        matter = self.state.matters.get(main)
        if matter is None:
            return 404, {"error": "not_found"}
        number, _sub, year = parse_filing_number(matter.arrival.filing_number)
        document = FiledDocument(
            filing_number=self._issue(filing_number(number, len(matter.documents) + 2, year)),
            kind=kind,
            document_sha256=data["document_sha256"],
            issued_at=issued_at,
        )
        matter.documents.append(document)
        return 201, {
            "filing_number": document.filing_number,
            "main_number": main,
            "kind": kind,
            "issued_at": issued_at.isoformat(),
        }

    def answer_delivery(self, number: str, data: Any) -> Answer:
        data = require_object(data)
        delivered_at = require_datetime(data, "delivered_at")
        channel = data.get("channel")
        if channel not in DELIVERY_CHANNELS:
            raise BadRequest(f"channel must be one of {', '.join(DELIVERY_CHANNELS)}")
        found = self.state.document(number)
        if found is None:
            return 404, {"error": "not_found"}
        matter, index = found
        document = matter.documents[index]
        if document.delivery is None:
            document = replace(document, delivery=DeliveryRecord(number, delivered_at, channel))
            matter.documents[index] = document
            self.state.deliveries += 1
        assert document.delivery is not None
        return 200, document.delivery.to_json()

    def answer_filing(self, number: str) -> Answer:
        try:
            matter = self.state.matters.get(main_number_of(number))
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        if matter is None:
            return 404, {"error": "not_found"}
        return 200, matter.filing().to_json()


class FilingServer(SimServer):
    def __init__(self, address: tuple[str, int], state: FilingState, verbose: bool = False) -> None:
        self.state = state
        self.verbose = verbose
        super().__init__(address, FilingHandler)


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    token: str = DEFAULT_TOKEN,
    faults: Faults | None = None,
    first_main_number: int = DEFAULT_FIRST_MAIN_NUMBER,
    verbose: bool = False,
) -> FilingServer:
    state = FilingState(token=token, faults=faults, first_main_number=first_main_number)
    return FilingServer((host, port), state, verbose=verbose)


def start_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    token: str = DEFAULT_TOKEN,
    faults: Faults | None = None,
    first_main_number: int = DEFAULT_FIRST_MAIN_NUMBER,
) -> tuple[FilingServer, str]:
    """Start the simulator on a daemon thread; returns (server, base_url). Stop: `server.shutdown()`."""
    return serve_in_thread(make_server(host, port, token=token, faults=faults, first_main_number=first_main_number))


def faults_from_env() -> Faults:
    return _faults_from_env("FILING")


def main(argv: list[str] | None = None) -> None:
    standalone_main(
        argv,
        name="filing",
        description="Filing system (Poszeidon) simulator",
        env_prefix="FILING",
        default_port=8104,
        default_token=DEFAULT_TOKEN,
        make_server=make_server,
        first_main_number=serial_start_from_clock(),
    )


if __name__ == "__main__":
    main()
