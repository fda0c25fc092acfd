"""spproxy, the TCP fault proxy, in front of a Python echo server.

Each toxic is shown to have its effect: latency raises every round trip by
at least the injected delay (never asserted from above: machines are
shared), bandwidth caps throughput, reset drops connections (and refuses
new ones for a while), blackhole stops traffic and then delivers it when
healed, slicing delivers the same bytes in more, smaller reads. Timing
assertions are lower bounds only.
"""
import os
import signal
import socket
import threading
import time

import pytest

from conftest import Proc, binary, wait_for, LISTEN_RE


class EchoServer:
    """Echoes every byte back on each connection (one thread each)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            threading.Thread(target=self._echo, args=(c,), daemon=True).start()

    @staticmethod
    def _echo(c):
        try:
            while True:
                data = c.recv(65536)
                if not data:
                    break
                c.sendall(data)
            c.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        finally:
            c.close()

    def close(self):
        self.sock.close()


class Proxy(Proc):
    def __init__(self, tmp_path, upstream_port):
        self.control_path = str(tmp_path / "proxy.sock")
        super().__init__([binary("spproxy"), "--listen", "127.0.0.1:0",
                          "--upstream", f"127.0.0.1:{upstream_port}",
                          "--control", self.control_path, "--seed", "7"],
                         tmp_path / "spproxy.log")
        m = wait_for(lambda: LISTEN_RE.search(self.output()) or (not self.alive() and "dead"),
                     10, "spproxy to listen")
        assert m != "dead", self.output()
        self.port = int(m.group(2))

    def control(self, line):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(self.control_path)
            s.sendall(line.encode() + b"\n")
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = s.recv(4096)
                assert chunk, "proxy closed the control connection"
                reply += chunk
            return reply.decode().strip()

    def ok(self, line):
        reply = self.control(line)
        assert reply.startswith("ok"), f"{line!r} -> {reply!r}"
        return reply

    def stats(self):
        reply = self.ok("stats")
        fields = dict(kv.split("=", 1) for kv in reply.split()[1:])
        return fields

    def connect(self, timeout=5):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s


@pytest.fixture
def echo():
    server = EchoServer()
    yield server
    server.close()


@pytest.fixture
def proxy(tmp_path, echo):
    p = Proxy(tmp_path, echo.port)
    yield p
    p.stop()


def recv_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        assert chunk, f"connection closed after {len(data)} of {n} bytes"
        data += chunk
    return data


def round_trip(s, payload=b"ping"):
    t0 = time.monotonic()
    s.sendall(payload)
    assert recv_exactly(s, len(payload)) == payload
    return time.monotonic() - t0


def test_forwards_both_ways_and_counts_bytes(proxy):
    with proxy.connect() as s:
        payload = os.urandom(200_000)
        s.sendall(payload)
        assert recv_exactly(s, len(payload)) == payload
    st = wait_for(lambda: (lambda f: f if f["connections"] == "0" else None)(proxy.stats()),
                  5, "the connection to close")
    assert st["accepted"] == "1"
    assert int(st["bytes_upstream"]) == 200_000
    assert int(st["bytes_downstream"]) == 200_000
    assert st["toxics"] == "none"


def test_latency_raises_every_round_trip_by_at_least_the_delay(proxy):
    with proxy.connect() as s:
        proxy.ok("latency both 100")
        rtts = [round_trip(s) for _ in range(5)]
        assert min(rtts) >= 0.2, rtts  # 100 ms each way
        proxy.ok("clear latency")
        assert "latency" not in proxy.stats()["toxics"]
        round_trip(s)  # still works after the heal


def test_latency_with_jitter_keeps_order(proxy):
    proxy.ok("latency downstream 40 30")
    with proxy.connect() as s:
        msgs = b"".join(b"%06d" % i for i in range(300))
        for i in range(300):  # many small writes, each delayed by a different jitter
            s.sendall(msgs[6 * i:6 * i + 6])
        assert recv_exactly(s, len(msgs)) == msgs
        assert round_trip(s) >= 0.010  # at least latency - jitter


def test_bandwidth_caps_throughput(proxy):
    rate = 100_000
    proxy.ok(f"bandwidth downstream {rate}")
    with proxy.connect(timeout=30) as s:
        payload = os.urandom(300_000)
        t0 = time.monotonic()
        threading.Thread(target=s.sendall, args=(payload,), daemon=True).start()
        assert recv_exactly(s, len(payload)) == payload
        elapsed = time.monotonic() - t0
    # 300 kB at 100 kB/s, minus the bucket's 50 ms burst
    assert elapsed >= (len(payload) - rate / 20) / rate - 0.05, elapsed


def test_reset_drops_connections_and_refuses_new_ones_for_a_while(proxy):
    s = proxy.connect()
    round_trip(s)
    reply = proxy.ok("reset 700")
    assert "reset 1 connections" in reply
    with pytest.raises((ConnectionResetError, BrokenPipeError, AssertionError)):
        s.settimeout(5)
        for _ in range(3):  # the RST may arrive on the send or on the receive
            round_trip(s)
    s.close()
    # refused: accepted then reset at once
    with pytest.raises((ConnectionResetError, BrokenPipeError, AssertionError)):
        with proxy.connect() as r:
            round_trip(r)
    st = proxy.stats()
    assert int(st["refused"]) >= 1 and st["resets"] == "1"
    # after refuse_ms, new connections work again
    time.sleep(0.8)
    with proxy.connect() as ok:
        round_trip(ok)


def test_blackhole_stops_traffic_then_heals(proxy):
    with proxy.connect() as s:
        round_trip(s)
        proxy.ok("blackhole both")
        s.sendall(b"held")
        s.settimeout(0.6)
        with pytest.raises(socket.timeout):
            s.recv(10)  # nothing comes back while partitioned
        proxy.ok("clear blackhole")
        s.settimeout(5)
        assert recv_exactly(s, 4) == b"held"  # delivered once healed, same connection
        # a blackhole with a duration heals by itself
        proxy.ok("blackhole upstream 400")
        assert round_trip(s) >= 0.4
        assert "blackhole" not in proxy.stats()["toxics"]


def count_reads(s, n):
    data, reads = b"", 0
    while len(data) < n:
        chunk = s.recv(65536)
        assert chunk
        data += chunk
        reads += 1
    return data, reads


def test_slicer_delivers_the_same_bytes_in_more_smaller_reads(proxy):
    payload = os.urandom(1000)
    with proxy.connect() as s:
        s.sendall(payload)
        plain, _ = count_reads(s, len(payload))
        assert plain == payload
        proxy.ok("slicer downstream 10 2000")
        s.sendall(payload)
        sliced, reads = count_reads(s, len(payload))
        assert sliced == payload
        assert reads >= 30, reads  # 100 slices of 10 bytes, 2 ms apart


def test_many_connections_at_once_through_latency(proxy):
    proxy.ok("latency both 20 5")
    errors = []

    def client(i):
        try:
            with proxy.connect(timeout=20) as s:
                payload = os.urandom(5000 + i)
                s.sendall(payload)
                assert recv_exactly(s, len(payload)) == payload
        except Exception as e:  # reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert int(proxy.stats()["accepted"]) == 60


def test_control_errors_are_reported(proxy):
    assert proxy.control("frobnicate").startswith("error unknown command")
    assert proxy.control("latency sideways 5").startswith("error latency: direction")
    assert proxy.control("bandwidth both 0").startswith("error usage")
    assert proxy.control("clear nonsense").startswith("error usage")
    assert proxy.control("reset -1").startswith("error usage")
    assert proxy.control("ping") == "ok pong"


def test_sigterm_exits_cleanly_with_open_connections(tmp_path, echo):
    p = Proxy(tmp_path, echo.port)
    conns = [p.connect() for _ in range(5)]
    for s in conns:
        round_trip(s)
    p.ok("latency both 50")
    conns[0].sendall(b"in flight")
    p.signal(signal.SIGTERM)
    assert p.wait(10) == 0, p.output()  # in sanitizer builds: no leak either
    assert not os.path.exists(p.control_path)
    for s in conns:
        s.close()


def test_upstream_down_resets_the_client(tmp_path):
    with socket.socket() as dead:
        dead.bind(("127.0.0.1", 0))
        port = dead.getsockname()[1]  # bound, never listening: connect is refused
        p = Proxy(tmp_path, port)
        try:
            with pytest.raises((ConnectionResetError, BrokenPipeError, AssertionError)):
                with p.connect() as s:
                    round_trip(s)
            assert int(p.stats()["upstream_failures"]) >= 1
        finally:
            p.stop()
