"""Client of ``simfabric serve``: latency, energy and memory estimates over HTTP.

The server holds the cost models; the client needs nothing but the standard library::

    from simfabric.client import Client

    c = Client("http://127.0.0.1:8080")
    c.models()                                  # names, kinds, provenance, error reports
    c.latency_ms("nb201", arch, model="pixel3")  # one float
    c.latency_ms("nb201", archs, model="pixel3")  # a list, in the order given
    c.latency_ms("nb201", arch)                  # {model name: float} for every model pricing nb201
    c.estimate("fbnet", archs, fields=("latency_ms", "energy_mj", "memory"))  # the whole answer

Request and response formats: docs/serve.md. A refused request raises ServeError with
the HTTP status and the server's message.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Iterable, Sequence

__all__ = ["Client", "ServeError"]


class ServeError(Exception):
    """The server refused a request (4xx) or failed (5xx); ``status`` and ``message`` say why."""

    def __init__(self, status: int, message: str):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class Client:
    """One server. Each call is one HTTP request; batches (lists of architectures) amortise it."""

    def __init__(self, url: str = "http://127.0.0.1:8080", timeout_s: float = 30.0):
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s

    def _call(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def _json(self, method: str, path: str, body: Any = None, accept: Iterable[int] = (200,)) -> dict:
        status, raw = self._call(method, path, body)
        try:
            doc = json.loads(raw)
        except ValueError:
            raise ServeError(status, raw.decode(errors="replace")) from None
        if status not in accept:
            error = doc.get("error", {}) if isinstance(doc, dict) else {}
            raise ServeError(status, error.get("message", raw.decode(errors="replace")))
        return doc

    def estimate(self, space: str | None = None, archs: str | Sequence[str] | None = None, *,
                 operators: Sequence[dict] | None = None, model: str | None = None,
                 models: Sequence[str] | None = None, batch: int | None = None, dtype: str | None = None,
                 fields: Sequence[str] | None = None) -> dict:
        """POST /v1/estimate. ``archs`` is one architecture string or a list of them (of
        ``space``), or give ``operators`` instead. Returns the response document:
        ``{"space", "count", "estimates": {model: {"latency_ms", ...}}}``."""
        body: dict[str, Any] = {}
        if operators is not None:
            body["operators"] = list(operators)
        else:
            body["space"] = space
            if isinstance(archs, str):
                body["arch"] = archs
            else:
                body["archs"] = list(archs if archs is not None else [])
        for key, value in (("model", model), ("models", models), ("batch", batch), ("dtype", dtype)):
            if value is not None:
                body[key] = list(value) if key == "models" else value
        if fields is not None:
            body["fields"] = list(fields)
        return self._json("POST", "/v1/estimate", body)

    def latency_ms(self, space: str, archs: str | Sequence[str], model: str | None = None,
                   batch: int | None = None):
        """Latency of one architecture (a float) or a list (a list), from ``model``; without
        ``model``, a dict of every model that prices the space."""
        out = self.estimate(space, archs, model=model, batch=batch)["estimates"]
        if model is not None:
            return out[model]["latency_ms"]
        return {name: e["latency_ms"] for name, e in out.items()}

    def models(self) -> dict:
        """GET /v1/models: the set's generation, reload status and each model's description."""
        return self._json("GET", "/v1/models")

    def health(self) -> dict:
        """GET /healthz: {"status": "ok" | "draining", "models", "generation"}."""
        return self._json("GET", "/healthz", accept=(200, 503))

    def metrics(self) -> str:
        """GET /metrics: counters in the Prometheus text format."""
        status, raw = self._call("GET", "/metrics")
        if status != 200:
            raise ServeError(status, raw.decode(errors="replace"))
        return raw.decode()
