"""`simfabric serve` over real sockets: every endpoint, the error paths and limits, keep-alive,
SIGHUP reload and SIGTERM drain, and the Python client. Servers listen on an ephemeral
loopback port (--port 0, read from the line the server prints)."""

import http.client
import json
import os
import pathlib
import re
import select
import shutil
import signal
import socket
import subprocess
import time

import numpy as np
import pytest

from simfabric import cost
from simfabric.client import Client, ServeError

SMALL_PLAN = pathlib.Path(__file__).resolve().parents[2] / "scenarios" / "plans" / "every_class_small.toml"


def run(*args):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True)


def space_model_file(path, space, target, seed, batch=1):
    """A space model file in the documented format (docs/cost.md), with random weights:
    the server's answers are checked against simfabric.cost reading the same file."""
    rng = np.random.default_rng(seed)
    nan = float("nan")
    doc = {"format": "simfabric-cost-model", "version": 1, "type": "space",
           "provenance": {"command": "test", "seed": seed},
           "report": {"rows": 0, "r2": nan, "mape": nan, "rmspe": nan, "within_10pct": nan, "spearman": nan,
                      "kendall": nan, "budget_accuracy": nan},
           "model": {"space": space, "target": target, "batch": batch, "unit": "ms", "floor_ms": 0.05,
                     "features": cost.feature_count(space),
                     "weights_ms": rng.uniform(0.0, 0.4, cost.feature_count(space)).tolist(), "method": {}}}
    path.write_text(json.dumps(doc).replace("NaN", "null"))
    return path


@pytest.fixture(scope="module")
def model_files(simfabric_bin, tmp_path_factory):
    d = tmp_path_factory.mktemp("serve_models")
    files = {"titan": space_model_file(d / "titan.json", "nb201", "titan_rtx_1", 1),
             "pixel3_nb": space_model_file(d / "pixel3_nb.json", "nb201", "pixel3", 2),
             "fb_pixel3": space_model_file(d / "fb_pixel3.json", "fbnet", "pixel3", 3)}
    proc = run(simfabric_bin, "fit", "--device", "a100", "--plan", SMALL_PLAN, "-o", d / "a100.json", "--quiet")
    assert proc.returncode == 0, proc.stderr
    files["a100"] = d / "a100.json"
    return files


class Server:
    """A `simfabric serve` process; its stderr goes to a file (the log)."""

    def __init__(self, simfabric_bin, tmp_path, models, *options):
        self.log = tmp_path / f"serve-{time.monotonic_ns()}.log"
        cmd = [str(simfabric_bin), "serve", "--port", "0", *[a for m in models for a in ("--model", str(m))],
               *[str(o) for o in options]]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log.open("w"), text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 20)
        line = self.proc.stdout.readline() if ready else ""
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if match is None:
            self.proc.kill()
            pytest.fail(f"server did not start: {line!r} {self.log.read_text()}")
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}"
        self.client = Client(self.url)

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        self.proc.stdout.close()
        return code


@pytest.fixture
def server(simfabric_bin, tmp_path, model_files):
    s = Server(simfabric_bin, tmp_path, [f"titan={model_files['titan']}", model_files["fb_pixel3"], model_files["a100"]])
    yield s
    assert s.stop() == 0


def post(conn, body, headers=None):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    conn.request("POST", "/v1/estimate", body=data, headers={"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    return response, json.loads(response.read())


NB201 = cost.random_archs("nb201", 20, seed=4)
FBNET = cost.random_archs("fbnet", 20, seed=4)


def test_estimates_equal_the_models_predictions(server, model_files):
    titan, fb = cost.load(model_files["titan"]), cost.load(model_files["fb_pixel3"])
    out = server.client.estimate("nb201", NB201[0])
    assert out["space"] == "nb201" and out["count"] == 1
    assert set(out["estimates"]) == {"titan", "a100"}  # fb_pixel3 prices fbnet only
    assert out["estimates"]["titan"]["latency_ms"] == titan.predict_ms([NB201[0]])[0]
    assert server.client.latency_ms("nb201", NB201, model="titan") == list(titan.predict_ms(NB201))
    assert server.client.latency_ms("fbnet", FBNET, model="fb_pixel3") == list(fb.predict_ms(FBNET))
    # The operator model builds the networks: the same figures as simfabric.cost.
    a100 = cost.load(model_files["a100"])
    got = server.client.latency_ms("fbnet", FBNET[:5], model="a100", batch=2)
    want = a100.predict_network_ms("fbnet", FBNET[:5], batch=2, dtype="fp32")
    assert got == pytest.approx(list(want), rel=1e-12)


def test_memory_and_energy(server):
    out = server.client.estimate("nb201", NB201[:3], models=["titan", "a100"], fields=["memory", "energy_mj"])
    for name in ("titan", "a100"):
        memory = out["estimates"][name]["memory"]
        for i, arch in enumerate(NB201[:3]):
            stats = cost.network_stats("nb201", arch)
            assert memory["params"][i] == stats["params"]
            assert memory["weight_bytes"][i] == 4 * stats["params"]  # fp32
            assert memory["peak_activation_bytes"][i] == stats["peak_activation_bytes"]
    assert out["estimates"]["titan"]["energy_mj"] is None  # measured tables carry no energy
    assert all(e > 0 for e in out["estimates"]["a100"]["energy_mj"])
    assert "latency_ms" not in out["estimates"]["titan"]


def test_operators(server):
    ops = [{"kind": "gemm", "m": 256, "n": 256, "k": 256},
           {"kind": "conv2d", "in_channels": 16, "out_channels": 16, "height": 32, "width": 32, "kernel": 3}]
    out = server.client.estimate(operators=ops, fields=["latency_ms", "energy_mj", "memory"])
    e = out["estimates"]["a100"]
    assert out["operators"] == 2 and list(out["estimates"]) == ["a100"]
    assert len(e["operator_latency_ms"]) == 2 and e["latency_ms"] > 0 and e["energy_mj"] > 0
    assert e["memory"]["params"] == 256 * 256 + 16 * 16 * 9


def test_models_health_and_metrics(server, model_files):
    models = server.client.models()
    assert models["generation"] == 1
    assert [m["name"] for m in models["models"]] == ["titan", "fb_pixel3", "a100"]
    titan = models["models"][0]
    assert titan["type"] == "space" and titan["spaces"] == ["nb201"] and titan["target"] == "titan_rtx_1"
    assert titan["path"] == str(model_files["titan"])
    assert titan["provenance"] == {"command": "test", "seed": 1}
    a100 = models["models"][2]
    assert a100["type"] == "operator" and a100["energy"] is True and a100["provenance"]["command"] == "fit"
    assert a100["report"]["rows"] > 0 and a100["report"]["mape"] < 0.1
    assert server.client.health() == {"status": "ok", "models": 3, "generation": 1}

    def count(text, series):
        m = re.search("^" + re.escape(series) + r" (\S+)$", text, re.M)
        return float(m.group(1)) if m else 0.0

    before = server.client.metrics()
    server.client.estimate("nb201", NB201[:4], model="titan")
    with pytest.raises(ServeError):
        server.client.estimate("nb999", NB201[0])
    after = server.client.metrics()
    ok = 'simfabric_serve_requests_total{endpoint="estimate",code="200"}'
    bad = 'simfabric_serve_requests_total{endpoint="estimate",code="400"}'
    assert count(after, ok) == count(before, ok) + 1
    assert count(after, bad) == count(before, bad) + 1
    assert count(after, "simfabric_serve_estimates_total") == count(before, "simfabric_serve_estimates_total") + 4
    assert count(after, 'simfabric_serve_request_duration_seconds_count{endpoint="estimate"}') >= 2
    assert "# TYPE simfabric_serve_request_duration_seconds histogram" in after
    assert count(after, "simfabric_serve_connections_open") >= 1


def test_keep_alive_serves_many_requests_on_one_connection(server):
    conn = server.connection()
    sock = None
    for i in range(5):
        response, body = post(conn, {"space": "nb201", "arch": NB201[i], "model": "titan"})
        assert response.status == 200 and not response.will_close
        assert sock is None or conn.sock is sock
        sock = conn.sock
    conn.request("GET", "/healthz")
    assert conn.getresponse().read() and conn.sock is sock
    conn.close()


@pytest.mark.parametrize("body, status, message", [
    ("{", 400, "not valid JSON (byte 2)"),
    ("[]", 400, "expected a JSON object"),
    ('"\xff"', 400, "not valid JSON"),
    ("[" * 100 + "]" * 100, 400, "nested deeper than 32"),
    ({"space": "resnet", "arch": "x"}, 400, 'space: expected "nb201"'),
    ({"space": "nb201", "arch": "|conv_9x9~0|+|none~0|none~1|+|none~0|none~1|none~2|"}, 400, "arch: nb201 arch: unknown op"),
    ({"space": "nb201", "archs": [NB201[0], 5]}, 400, "archs[1]: expected an architecture string"),
    ({"space": "nb201", "arch": NB201[0], "model": "gone"}, 400, "no loaded model \"gone\"; loaded: titan, fb_pixel3, a100"),
    ({"space": "nb201", "arch": NB201[0], "batch": 0}, 400, "batch: expected an integer 1..4096"),
    ({"space": "nb201", "arch": NB201[0], "fields": ["joules"]}, 400, "fields"),
    ({"space": "nb201", "arch": NB201[0], "extra": 1}, 400, 'unknown key "extra"'),
    ({"operators": [{"kind": "lstm"}]}, 400, "operators[0].kind: expected one of"),
    ({"operators": [{"kind": "gemm", "m": 0, "n": 1, "k": 1}]}, 400, "operators[0].m: expected an integer 1..16777216"),
    ({"operators": [{"kind": "gemm", "m": 1e30, "n": 1, "k": 1}]}, 400, "operators[0].m: expected an integer"),
    ({"operators": [{"kind": "gemm", "m": 1, "n": 1, "k": 1}], "model": "titan"}, 400, "titan is a space model"),
])
def test_bad_requests_get_4xx_json_errors(server, body, status, message):
    conn = server.connection()
    response, doc = post(conn, body)
    assert response.status == status
    assert doc["error"]["status"] == status
    assert message in doc["error"]["message"]
    assert not response.will_close  # a refused request does not cost the connection
    conn.close()


def test_unknown_paths_and_methods(server):
    conn = server.connection()
    conn.request("GET", "/v1/nothing")
    r = conn.getresponse()
    assert r.status == 404 and "error" in json.loads(r.read())
    conn.request("GET", "/v1/estimate")
    r = conn.getresponse()
    assert r.status == 405 and r.getheader("Allow") == "POST"
    r.read()
    conn.request("PUT", "/v1/models", body="{}")
    r = conn.getresponse()
    assert r.status == 405 and r.getheader("Allow") == "GET"
    r.read()
    conn.close()
    # Not HTTP at all: 400 and the connection closes.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"HELLO THERE\r\n\r\n")
        assert s.recv(4096).startswith(b"HTTP/1.1 400")


def test_expect_100_continue_and_pipelining(server):
    body = json.dumps({"space": "nb201", "arch": NB201[0], "model": "titan"}).encode()
    head = (b"POST /v1/estimate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n" % len(body))
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(head + b"Expect: 100-continue\r\n\r\n")
        assert s.recv(4096).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        s.sendall(body)
        assert s.recv(65536).startswith(b"HTTP/1.1 200 OK")
        # Two requests in one write: two answers, in order, on the same connection.
        s.sendall(head + b"\r\n" + body + b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answers = raw_response(s)
    assert answers.count(b"HTTP/1.1 200 OK") == 2 and answers.rstrip().endswith(b'"generation":1}')


def raw_response(sock, timeout=5.0):
    """Everything the server sends until it closes the connection."""
    sock.settimeout(timeout)
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_limits(simfabric_bin, tmp_path, model_files):
    s = Server(simfabric_bin, tmp_path, [model_files["titan"]], "--threads", 1, "--max-body-bytes", 4000,
               "--max-header-fields", 20, "--max-header-bytes", 1024, "--max-batch", 5, "--max-network-batch", 2,
               "--read-timeout", 2, "--idle-timeout", 2)
    try:
        conn = s.connection()
        r, doc = post(conn, {"space": "nb201", "archs": NB201[:6]})
        assert r.status == 413 and "at most 5 per request" in doc["error"]["message"]
        r, doc = post(conn, {"space": "nb201", "archs": NB201[:3], "fields": ["memory"]})
        assert r.status == 413 and "at most 2" in doc["error"]["message"]
        r, doc = post(conn, {"space": "nb201", "archs": NB201[:5]})
        assert r.status == 200
        conn.close()

        big = json.dumps({"space": "nb201", "archs": [NB201[0]] * 60})
        assert len(big) > 4000
        conn = s.connection()
        r, doc = post(conn, big)
        assert r.status == 413 and "larger than 4000 bytes" in doc["error"]["message"] and r.will_close
        conn.close()

        conn = s.connection()
        r, doc = post(conn, {"space": "nb201", "arch": NB201[0]}, headers={f"X-Field-{i}": "1" for i in range(25)})
        assert r.status == 431 and "too many header fields" in doc["error"]["message"]
        conn.close()
        conn = s.connection()
        r, doc = post(conn, {"space": "nb201", "arch": NB201[0]}, headers={"X-Long": "y" * 2000})
        assert r.status == 431
        conn.close()

        # Slow clients: a request that never completes and an idle connection are closed
        # at their timeouts; before that, the one worker thread answers other clients (had
        # a slow client held it, these requests would wait for its timeout and find the
        # slow sockets closed first).
        slow = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(4)]
        for sock in slow:
            sock.sendall(b"POST /v1/estimate HTTP/1.1\r\nHost: x\r\n")
        idle = socket.create_connection(("127.0.0.1", s.port))
        for _ in range(3):
            conn = s.connection()
            r, _ = post(conn, {"space": "nb201", "arch": NB201[0]})
            assert r.status == 200
            conn.close()
        for sock in slow + [idle]:  # still open: nothing to read yet, no EOF
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):
                sock.recv(1)
            sock.setblocking(True)
        for sock in slow + [idle]:
            assert raw_response(sock) == b""  # closed by the server at its timeout, no answer
            sock.close()
        metrics = s.client.metrics()
        assert re.search(r"^simfabric_serve_timeouts_total ([5-9]|\d\d)", metrics, re.M)
        assert 'simfabric_serve_requests_total{endpoint="other",code="413"} 1' in metrics
    finally:
        assert s.stop() == 0


def test_connection_cap(simfabric_bin, tmp_path, model_files):
    s = Server(simfabric_bin, tmp_path, [model_files["titan"]], "--max-connections", 3)
    try:
        held = [s.connection() for _ in range(3)]
        for c in held:
            c.request("GET", "/healthz")
            assert c.getresponse().read()
        extra = socket.create_connection(("127.0.0.1", s.port))
        assert raw_response(extra) == b""  # refused: closed at once
        extra.close()
        held[0].close()
        held[1].close()
        time.sleep(0.2)
        assert s.client.health()["status"] == "ok"
        assert re.search(r"^simfabric_serve_connections_refused_total 1$", s.client.metrics(), re.M)
    finally:
        assert s.stop() == 0


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail("condition not reached in time")


def models_via(conn):
    conn.request("GET", "/v1/models")
    r = conn.getresponse()
    assert not r.will_close
    return json.loads(r.read())


def test_sighup_reloads_without_dropping_connections(simfabric_bin, tmp_path, model_files):
    path = tmp_path / "live.json"
    shutil.copy(model_files["titan"], path)
    s = Server(simfabric_bin, tmp_path, [f"live={path}"])
    try:
        conn = s.connection()
        _, first = post(conn, {"space": "nb201", "archs": NB201})
        sock = conn.sock
        assert first["estimates"]["live"]["latency_ms"] == list(cost.load(model_files["titan"]).predict_ms(NB201))

        # A good file: the new models answer, on the same connection.
        shutil.copy(model_files["pixel3_nb"], tmp_path / "next.json")
        os.replace(tmp_path / "next.json", path)
        s.signal(signal.SIGHUP)
        models = wait_for(lambda: (m := models_via(conn))["generation"] == 2 and m)
        assert models["reloads"] == {"ok": 1, "failed": 0, "last_error": None}
        assert models["models"][0]["target"] == "pixel3"
        _, second = post(conn, {"space": "nb201", "archs": NB201})
        assert second["estimates"]["live"]["latency_ms"] == list(cost.load(model_files["pixel3_nb"]).predict_ms(NB201))

        # A bad file: the error is logged and reported, the models loaded before still answer.
        path.write_text('{"format": "simfabric-cost-model", "version": 1, "type": "space", "mod')
        s.signal(signal.SIGHUP)
        models = wait_for(lambda: (m := models_via(conn))["reloads"]["failed"] == 1 and m)
        assert models["generation"] == 2
        assert str(path) in models["reloads"]["last_error"] and "not valid JSON" in models["reloads"]["last_error"]
        _, third = post(conn, {"space": "nb201", "archs": NB201})
        assert third == second
        assert conn.sock is sock  # one connection throughout
        metrics = s.client.metrics()
        assert 'simfabric_serve_reloads_total{result="ok"} 1' in metrics
        assert 'simfabric_serve_reloads_total{result="error"} 1' in metrics
        conn.close()
    finally:
        assert s.stop() == 0
    assert "reload failed" in s.log.read_text() and str(path) in s.log.read_text()


def test_sigterm_drains_requests_in_flight_and_exits_0(simfabric_bin, tmp_path, model_files):
    s = Server(simfabric_bin, tmp_path, [model_files["titan"]])
    idle = s.connection()
    idle.request("GET", "/healthz")
    assert idle.getresponse().read()
    # A request in flight: its header and part of its body are in, the rest comes after SIGTERM.
    body = json.dumps({"space": "nb201", "archs": NB201}).encode()
    busy = socket.create_connection(("127.0.0.1", s.port))
    busy.sendall(b"POST /v1/estimate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(body) + body[:100])
    time.sleep(0.2)
    s.signal(signal.SIGTERM)
    time.sleep(0.3)
    assert s.proc.poll() is None  # still draining
    assert raw_response(idle.sock) == b""  # idle connections are closed
    try:  # no new connections: refused, or closed at once
        late = socket.create_connection(("127.0.0.1", s.port), timeout=2)
    except OSError:
        pass
    else:
        assert raw_response(late) == b""
        late.close()
    busy.sendall(body[100:])
    answer = raw_response(busy)
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"Connection: close" in head
    assert len(json.loads(payload)["estimates"]["titan"]["latency_ms"]) == len(NB201)
    assert s.proc.wait(timeout=10) == 0
    assert "stopped" in s.proc.stdout.read()
    busy.close()
    idle.close()


def test_start_up_errors(simfabric_bin, tmp_path, model_files):
    proc = run(simfabric_bin, "serve", "--port", 0, "--model", tmp_path / "missing.json")
    assert proc.returncode == 2 and "missing.json" in proc.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    proc = run(simfabric_bin, "serve", "--port", 0, "--model", bad)
    assert proc.returncode == 2 and "bad.json" in proc.stderr
    proc = run(simfabric_bin, "serve", "--port", 0, "--model", model_files["titan"], "--model", model_files["titan"])
    assert proc.returncode == 2 and "two models are named 'titan'" in proc.stderr
    proc = run(simfabric_bin, "serve", "--port", 0, "--model", model_files["titan"], "--bind", "localhost")
    assert proc.returncode == 2 and "--bind" in proc.stderr
    s = Server(simfabric_bin, tmp_path, [model_files["titan"]])
    try:
        proc = run(simfabric_bin, "serve", "--port", s.port, "--model", model_files["titan"])
        assert proc.returncode == 1 and "cannot bind" in proc.stderr
    finally:
        assert s.stop() == 0


def test_client_raises_with_the_servers_message(server):
    with pytest.raises(ServeError) as e:
        server.client.latency_ms("nb201", "|none~0|", model="titan")
    assert e.value.status == 400 and e.value.message.startswith("arch: nb201 arch")
    assert Client(server.url + "/").health()["status"] == "ok"
