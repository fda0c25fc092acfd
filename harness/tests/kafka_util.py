"""Helpers for refbroker's end-to-end tests: a raw Kafka protocol client
(for bad input and exact protocol checks), a RecordBatch v2 builder with
CRC-32C, kcat wrappers, and a broker fixture that insists on exit code 0
(under ASan/LSan a leak makes the exit code non-zero).

Import the fixture into a test module with `from kafka_util import rb`.
"""
import os
import signal
import socket
import struct
import subprocess
import time

import pytest

from conftest import SLOWDOWN, Broker, wait_for

# ---- the broker fixture -----------------------------------------------------


@pytest.fixture
def rb(tmp_path):
    """Starts refbrokers on demand: rb(args=[...], data_dir=..., name=...).
    At teardown each one still running gets SIGTERM and must exit 0."""
    started = []

    def start(data_dir=None, args=(), name="broker", port=0, env=None):
        data_dir = data_dir or (tmp_path / f"{name}-data")
        b = Broker(data_dir, tmp_path / f"{name}.log", args=list(args), port=port, env=env)
        b.killed = False
        started.append(b)
        return b

    yield start
    failures = []
    for b in started:
        if b.killed or (not b.alive() and b.popen.returncode == -signal.SIGKILL):
            b.stop()
            continue
        rc = b.stop()
        if rc != 0:
            failures.append(f"refbroker {b.log_path.name} exited {rc}:\n{b.output()[-4000:]}")
    assert not failures, "\n".join(failures)


def kill9(broker):
    broker.killed = True
    broker.kill9()


def stop_clean(broker):
    """SIGTERM and assert a clean exit (for tests that restart a broker)."""
    rc = broker.stop()
    assert rc == 0, f"refbroker exited {rc}:\n{broker.output()[-4000:]}"
    broker.killed = True  # already checked; the fixture skips it


# ---- CRC-32C and RecordBatch v2 ---------------------------------------------

_CRC_TABLE = []
for _b in range(256):
    _c = _b
    for _ in range(8):
        _c = (_c >> 1) ^ (0x82F63B78 if _c & 1 else 0)
    _CRC_TABLE.append(_c)


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = (crc >> 8) ^ _CRC_TABLE[(crc ^ byte) & 0xFF]
    return crc ^ 0xFFFFFFFF


def zigzag_varint(n):
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while z >= 0x80:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


def _bytes_field(b):
    if b is None:
        return zigzag_varint(-1)
    return zigzag_varint(len(b)) + b


def record_batch(records, base_timestamp_ms=None, producer_id=-1, producer_epoch=-1, base_sequence=-1):
    """records: list of (key, value[, headers]) with bytes or None; headers a
    list of (name str, value bytes). Returns one RecordBatch v2 (offset 0)."""
    ts = base_timestamp_ms if base_timestamp_ms is not None else int(time.time() * 1000)
    body = bytearray()
    for i, rec in enumerate(records):
        key, value = rec[0], rec[1]
        headers = rec[2] if len(rec) > 2 else []
        r = bytearray()
        r += b"\x00"  # attributes
        r += zigzag_varint(0)  # timestamp delta
        r += zigzag_varint(i)  # offset delta
        r += _bytes_field(key)
        r += _bytes_field(value)
        r += zigzag_varint(len(headers))
        for hk, hv in headers:
            r += _bytes_field(hk.encode())
            r += _bytes_field(hv)
        body += zigzag_varint(len(r)) + r
    after_crc = struct.pack(">hiqqqhii", 0, len(records) - 1, ts, ts, producer_id, producer_epoch,
                            base_sequence, len(records)) + bytes(body)
    crc = crc32c(after_crc)
    batch_len = 4 + 1 + 4 + len(after_crc)  # leader epoch, magic, crc, rest
    return struct.pack(">qiibI", 0, batch_len, 0, 2, crc) + after_crc


def parse_batches(data):
    """Yields (base_offset, record_count, records bytes) of whole batches."""
    pos = 0
    while len(data) - pos >= 61:
        base, length = struct.unpack_from(">qi", data, pos)
        if pos + 12 + length > len(data):
            break
        count = struct.unpack_from(">i", data, pos + 57)[0]
        yield base, count, data[pos:pos + 12 + length]
        pos += 12 + length


# ---- a raw protocol client ----------------------------------------------------

def kstr(s):
    if s is None:
        return struct.pack(">h", -1)
    b = s.encode() if isinstance(s, str) else s
    return struct.pack(">h", len(b)) + b


def kbytes(b):
    if b is None:
        return struct.pack(">i", -1)
    return struct.pack(">i", len(b)) + b


class Reader:
    """Big-endian reader over a response body."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def _take(self, fmt):
        v = struct.unpack_from(fmt, self.data, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return v

    def i8(self): return self._take(">b")
    def i16(self): return self._take(">h")
    def i32(self): return self._take(">i")
    def i64(self): return self._take(">q")

    def string(self):
        n = self.i16()
        if n < 0:
            return None
        s = self.data[self.pos:self.pos + n].decode(errors="replace")
        self.pos += n
        return s

    def bytes(self):
        n = self.i32()
        if n < 0:
            return None
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def uvarint(self):
        shift = v = 0
        while True:
            byte = self.data[self.pos]
            self.pos += 1
            v |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return v
            shift += 7

    def remaining(self):
        return len(self.data) - self.pos


class KafkaConn:
    """One TCP connection speaking raw Kafka frames."""

    def __init__(self, bootstrap, timeout_s=10):
        host, port = bootstrap.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout_s * SLOWDOWN)
        self.corr = 0

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, api_key, version, body, client_id="pytest", flexible=False):
        """Sends one request; returns its correlation id."""
        self.corr += 1
        header = struct.pack(">hhi", api_key, version, self.corr) + kstr(client_id)
        if flexible:
            header += b"\x00"
        frame = header + body
        self.sock.sendall(struct.pack(">i", len(frame)) + frame)
        return self.corr

    def _recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("connection closed by the broker")
            buf += chunk
        return bytes(buf)

    def recv(self):
        """Returns (correlation id, body) of the next response."""
        size = struct.unpack(">i", self._recv_exact(4))[0]
        frame = self._recv_exact(size)
        return struct.unpack_from(">i", frame)[0], frame[4:]

    def request(self, api_key, version, body, **kw):
        corr = self.send(api_key, version, body, **kw)
        got, resp = self.recv()
        assert got == corr, f"correlation id {got}, expected {corr}"
        return Reader(resp)

    def closed_by_peer(self, timeout_s=5):
        """True once the broker has closed this connection (EOF or reset)."""
        self.sock.settimeout(timeout_s * SLOWDOWN)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False


# ---- request bodies -------------------------------------------------------------

def metadata_body(topics, version=4, auto_create=True):
    body = struct.pack(">i", -1) if topics is None else struct.pack(">i", len(topics)) + b"".join(kstr(t) for t in topics)
    if version >= 4:
        body += struct.pack(">b", 1 if auto_create else 0)
    return body


def produce_body(topic, partition, records_bytes, acks=-1, timeout_ms=10000):
    return (kstr(None) + struct.pack(">hii", acks, timeout_ms, 1) + kstr(topic) +
            struct.pack(">ii", 1, partition) + kbytes(records_bytes))


def parse_produce_v7(r):
    """-> list of (topic, partition, error, base_offset, log_start)."""
    out = []
    for _ in range(r.i32()):
        t = r.string()
        for _ in range(r.i32()):
            p, err, base, _ts, log_start = r.i32(), r.i16(), r.i64(), r.i64(), r.i64()
            out.append((t, p, err, base, log_start))
    return out


def fetch_body(topic, partition, offset, max_wait_ms=500, min_bytes=1, max_bytes=1 << 20,
               partition_max_bytes=1 << 20):
    """Fetch v11, sessionless."""
    return (struct.pack(">iiiibii", -1, max_wait_ms, min_bytes, max_bytes, 0, 0, -1) +
            struct.pack(">i", 1) + kstr(topic) + struct.pack(">i", 1) +
            struct.pack(">iiqqi", partition, -1, offset, -1, partition_max_bytes) +
            struct.pack(">i", 0) + kstr(""))


def parse_fetch_v11(r):
    """-> list of dicts per partition."""
    r.i32()
    top_error = r.i16()
    r.i32()
    out = []
    for _ in range(r.i32()):
        t = r.string()
        for _ in range(r.i32()):
            d = {"topic": t, "top_error": top_error, "partition": r.i32(), "error": r.i16(),
                 "hwm": r.i64(), "lso": r.i64(), "log_start": r.i64()}
            n_aborted = r.i32()
            for _ in range(max(n_aborted, 0)):
                r.i64(), r.i64()
            r.i32()
            d["records"] = r.bytes()
            out.append(d)
    return out


def list_offsets_body(topic, partition, timestamp):
    """ListOffsets v2."""
    return (struct.pack(">ibi", -1, 0, 1) + kstr(topic) + struct.pack(">iiq", 1, partition, timestamp))


def parse_list_offsets_v2(r):
    r.i32()
    out = []
    for _ in range(r.i32()):
        r.string()
        for _ in range(r.i32()):
            out.append((r.i32(), r.i16(), r.i64(), r.i64()))
    return out


# ---- kcat --------------------------------------------------------------------

def kcat(args, input_bytes=None, timeout_s=60):
    """Runs kcat; returns CompletedProcess (stdout bytes)."""
    return subprocess.run(["kcat"] + [str(a) for a in args], input=input_bytes,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout_s * SLOWDOWN)


def log_has(broker, text, timeout_s=5):
    return wait_for(lambda: text in broker.output(), timeout_s, f"log line containing {text!r}")
