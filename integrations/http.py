"""The base every typed outside-system client stands on.

A client subclasses `HttpClient`, names its `system`, lists its `protected_fields` and calls
`self.call(...)` once per operation. The base gives it:

- a `requests.Session` with separate connect and read timeouts;
- retries with exponential backoff (urllib3 `Retry`) on connect errors and on 429/502/503/504,
  honouring `Retry-After` (capped, so a confused peer cannot park a worker) — for idempotent
  methods and for POSTs that carry an `Idempotency-Key` header. Connect errors are retried for
  every method: the request never left the machine. Read timeouts are never retried here, so a
  call takes at most about the configured timeout; the caller's job retries later;
- an `X-Request-Id` per call (the same on each retry of that call) and bearer-token auth;
- one `Exchange` row per call, bodies passed through `redact()` first;
- typed errors: `IntegrationUnavailable` (network, timeout, 5xx: retry later),
  `IntegrationRejected` (4xx: do not retry), `NotFound` (404).
"""

from __future__ import annotations

import contextvars
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3.util.retry import Retry

logger = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
REDACTED = "***"
MAX_LOGGED_TEXT = 4000

Direction = Literal["request", "response"]
T = TypeVar("T")


# --- errors ---------------------------------------------------------------------------------
class IntegrationError(Exception):
    """Base of every error an outside-system client raises."""

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        system: str = "",
        operation: str = "",
        status_code: int | None = None,
        error_code: str = "",
        request_id: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.system = system
        self.operation = operation
        self.status_code = status_code
        self.error_code = error_code
        self.request_id = request_id


class IntegrationUnavailable(IntegrationError):
    """Network error, timeout or 5xx after our retries: the caller's job should retry later."""

    retryable = True


class IntegrationRejected(IntegrationError):
    """The outside system refused the request (4xx): retrying the same request will not help."""


class NotFound(IntegrationRejected):
    """The outside system does not know the thing asked about (404)."""


# --- retries ----------------------------------------------------------------------------------
_attempts: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("integration_attempts", default=None)


class _CountingRetry(Retry):
    """urllib3 Retry that reports how many retries a call used and caps Retry-After."""

    RETRY_AFTER_MAX_S: ClassVar[float] = 30.0

    def increment(self, *args: Any, **kwargs: Any) -> Retry:
        new = super().increment(*args, **kwargs)
        holder = _attempts.get()
        if holder is not None:
            holder[0] = len(new.history) + 1
        return new

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.RETRY_AFTER_MAX_S)


class _IdempotencyAwareAdapter(BaseAdapter):
    """Routes a request to the retrying adapter only when repeating it is safe."""

    def __init__(self, *, retries: int, backoff_factor: float, pool_maxsize: int = 10) -> None:
        super().__init__()
        retrying = _CountingRetry(
            total=retries,
            connect=retries,
            read=False,
            status=retries,
            other=0,
            redirect=0,
            allowed_methods=None,  # this adapter is chosen only for safe requests
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
        )
        connect_only = _CountingRetry(
            total=retries,
            connect=retries,
            read=False,
            status=0,
            other=0,
            redirect=0,
            allowed_methods=None,
            status_forcelist=(),
            backoff_factor=backoff_factor,
            raise_on_status=False,
            raise_on_redirect=False,
        )
        self._retrying = HTTPAdapter(max_retries=retrying, pool_maxsize=pool_maxsize)
        self._connect_only = HTTPAdapter(max_retries=connect_only, pool_maxsize=pool_maxsize)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        safe = (request.method or "").upper() in IDEMPOTENT_METHODS or "Idempotency-Key" in request.headers
        adapter = self._retrying if safe else self._connect_only
        return adapter.send(request, **kwargs)

    def close(self) -> None:
        self._retrying.close()
        self._connect_only.close()


# --- client base --------------------------------------------------------------------------------
@dataclass(frozen=True)
class HttpResult:
    status_code: int
    data: Any
    headers: Mapping[str, str] = field(repr=False)
    request_id: str


class HttpClient:
    """Base of the typed clients in `integrations/<system>/client.py`."""

    #: short name of the outside system, stored in `Exchange.system`
    system: ClassVar[str] = ""
    #: JSON keys whose values never reach the log (masked at any depth)
    protected_fields: ClassVar[frozenset[str]] = frozenset()
    user_agent: ClassVar[str] = "hegyvidek-eportal/1.0"

    def __init__(
        self,
        *,
        base_url: str,
        token: str = "",
        timeout_s: float = 5.0,
        connect_timeout_s: float | None = None,
        retries: int = 3,
        backoff_factor: float = 0.25,
        log_exchanges: bool = True,
    ) -> None:
        if not self.system:
            raise TypeError(f"{type(self).__name__} must set `system`")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.connect_timeout_s = connect_timeout_s if connect_timeout_s is not None else min(timeout_s, 3.05)
        self.log_exchanges = log_exchanges
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies from the environment for internal systems
        adapter = _IdempotencyAwareAdapter(retries=retries, backoff_factor=backoff_factor)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"Accept": "application/json", "User-Agent": self.user_agent})
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- redaction hook -----------------------------------------------------------------------
    def redact(self, body: Any, *, direction: Direction) -> Any:
        """Return `body` as it may be stored in the log. Override for anything beyond key masking."""
        return redact_keys(body, self.protected_fields)

    # -- the one way to call -------------------------------------------------------------------
    def call(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        idempotency_key: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> HttpResult:
        """Send one request; return the parsed 2xx body or raise a typed `IntegrationError`."""
        method = method.upper()
        url = f"{self.base_url}/{path.lstrip('/')}"
        request_id = uuid.uuid4().hex
        send_headers = {"X-Request-Id": request_id, **(headers or {})}
        if idempotency_key:
            send_headers["Idempotency-Key"] = idempotency_key
        context = {"system": self.system, "operation": operation, "request_id": request_id}

        attempts = [1]
        token = _attempts.set(attempts)
        started = time.monotonic()
        response: requests.Response | None = None
        network_error: requests.RequestException | None = None
        try:
            response = self.session.request(
                method,
                url,
                json=json,
                params=params,
                headers=send_headers,
                timeout=(self.connect_timeout_s, self.timeout_s),
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            network_error = exc
        finally:
            _attempts.reset(token)
        duration_ms = int((time.monotonic() - started) * 1000)

        if response is None:
            assert network_error is not None
            kind = "timeout" if isinstance(network_error, requests.Timeout) else "network error"
            error_text = f"{kind}: {type(network_error).__name__}: {network_error}"
            self._log(
                method=method,
                url=url,
                operation=operation,
                request_id=request_id,
                idempotency_key=idempotency_key,
                status_code=None,
                attempts=attempts[0],
                duration_ms=duration_ms,
                error=error_text,
                request_body=json,
                response_body=None,
            )
            raise IntegrationUnavailable(
                f"{self.system} {operation}: {kind}", error_code=kind.replace(" ", "_"), **context
            ) from network_error

        data = _parse_body(response)
        status = response.status_code
        error_code = ""
        if status >= 300:
            error_code = _error_code(data) or f"http_{status}"
        self._log(
            method=method,
            url=url,
            operation=operation,
            request_id=request_id,
            idempotency_key=idempotency_key,
            status_code=status,
            attempts=attempts[0],
            duration_ms=duration_ms,
            error=error_code,
            request_body=json,
            response_body=data,
        )
        if status < 300:
            return HttpResult(status_code=status, data=data, headers=response.headers, request_id=request_id)
        message = f"{self.system} {operation}: HTTP {status} {error_code}"
        if status == 404:
            raise NotFound(message, status_code=status, error_code=error_code, **context)
        if status in RETRY_STATUSES or status >= 500:
            raise IntegrationUnavailable(message, status_code=status, error_code=error_code, **context)
        raise IntegrationRejected(message, status_code=status, error_code=error_code, **context)

    def read_answer(self, result: HttpResult, *, operation: str, read: Callable[[Any], T]) -> T:
        """`read(result.data)`; a 2xx body that does not fit the contract is the outside system's
        fault, not the caller's input: it becomes `IntegrationUnavailable` (retry later)."""
        try:
            return read(result.data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise IntegrationUnavailable(
                f"{self.system} {operation}: malformed answer",
                system=self.system,
                operation=operation,
                status_code=result.status_code,
                error_code="malformed_response",
                request_id=result.request_id,
            ) from exc

    def _log(self, *, request_body: Any, response_body: Any, **fields: Any) -> None:
        logger.info(
            "exchange %s.%s %s status=%s attempts=%s %sms request_id=%s",
            self.system,
            fields["operation"],
            fields["method"],
            fields["status_code"],
            fields["attempts"],
            fields["duration_ms"],
            fields["request_id"],
        )
        if not self.log_exchanges:
            return
        # Imported here so simulators and scripts can import this module without Django set up.
        from django.db import DatabaseError, transaction

        from integrations.models import Exchange

        try:
            # A savepoint, so a failing log write never poisons the caller's transaction.
            with transaction.atomic():
                Exchange.objects.create(
                    system=self.system,
                    request_body=self.redact(request_body, direction="request"),
                    response_body=self.redact(response_body, direction="response"),
                    **fields,
                )
        except DatabaseError:
            logger.exception("could not log exchange %s", fields["request_id"])


# --- helpers ---------------------------------------------------------------------------------------
def redact_keys(body: Any, keys: Iterable[str]) -> Any:
    """Copy of a JSON-like value with the values of `keys` (at any depth) replaced by `***`."""
    keys = frozenset(keys)
    if isinstance(body, Mapping):
        return {k: (REDACTED if k in keys and v not in (None, "") else redact_keys(v, keys)) for k, v in body.items()}
    if isinstance(body, list | tuple):
        return [redact_keys(item, keys) for item in body]
    return body


def _parse_body(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return {"_text": response.text[:MAX_LOGGED_TEXT]}


def _error_code(data: Any) -> str:
    if isinstance(data, Mapping):
        error = data.get("error")
        if isinstance(error, str):
            return error
        if isinstance(error, Mapping):
            return str(error.get("code") or error.get("type") or "")
    return ""
