"""Adapters to every outside system, one sub-package each: a typed client on `requests`
(timeouts, retries, idempotency keys, every exchange logged), the contract it speaks, and a
loopback simulator used by the dev stack and the tests."""
