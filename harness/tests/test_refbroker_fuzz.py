"""A seeded protocol fuzzer: thousands of mutated requests (valid bodies of
every API with bytes flipped, truncated, extended, or replaced by noise)
pipelined on many connections. The broker must answer or close each
connection, never crash, keep serving, and exit 0 at SIGTERM (under
ASan/UBSan/LSan in CI: no memory error, no leak)."""
import random
import socket
import struct
import time

from conftest import SLOWDOWN
from kafka_util import (KafkaConn, fetch_body, kbytes, kcat, kstr, list_offsets_body, metadata_body,
                        produce_body, rb, record_batch)


def seeds():
    """(api, version, valid body) for every API refbroker serves, except
    CreateTopics (a mutated partition count could legitimately ask for
    100,000 directories)."""
    batch = record_batch([(b"k", b"v", [("h", b"x")]), (None, b"w")])
    join = (kstr("fz") + struct.pack(">ii", 6000, 10000) + kstr("") + kstr(None) + kstr("consumer") +
            struct.pack(">i", 1) + kstr("range") + kbytes(b"\x00\x01\x00\x00\x00\x01\x00\x02fz\x00\x00\x00\x00"))
    return [
        (18, 0, b""),
        (18, 3, b"\x07fuzzer\x021\x00"),
        (3, 4, metadata_body(["fz"])),
        (3, 0, struct.pack(">i", 1) + kstr("fz")),
        (0, 7, produce_body("fz", 0, batch)),
        (0, 3, produce_body("fz", 0, batch, acks=1)),
        (1, 11, fetch_body("fz", 0, 0, max_wait_ms=5)),
        (2, 2, list_offsets_body("fz", 0, -1)),
        (2, 0, struct.pack(">ii", -1, 1) + kstr("fz") + struct.pack(">iiqi", 1, 0, -2, 1)),
        (10, 2, kstr("fz") + b"\x00"),
        (8, 7, kstr("fz") + struct.pack(">i", -1) + kstr("") + kstr(None) + struct.pack(">i", 1) +
         kstr("fz") + struct.pack(">iiqi", 1, 0, 1, -1) + kstr("m")),
        (9, 5, kstr("fz") + struct.pack(">i", -1)),
        (22, 1, kstr(None) + struct.pack(">i", -1)),
        (11, 5, join),
        (14, 3, kstr("fz") + struct.pack(">i", 1) + kstr("m") + kstr(None) + struct.pack(">i", 0)),
        (12, 3, kstr("fz") + struct.pack(">i", 1) + kstr("m") + kstr(None)),
        (13, 1, kstr("fz") + kstr("m")),
    ]


def mutate(rng, body):
    b = bytearray(body)
    kind = rng.randrange(6)
    if kind == 0 and b:                      # flip a few bytes
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif kind == 1 and b:                    # truncate
        del b[rng.randrange(len(b)):]
    elif kind == 2:                          # append noise
        b += bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    elif kind == 3 and len(b) >= 4:          # a huge or negative length/count somewhere
        pos = rng.randrange(len(b) - 3)
        b[pos:pos + 4] = struct.pack(">i", rng.choice([-2, -1, 0x7fffffff, 0x10000, 1 << 24]))
    elif kind == 4:                          # pure noise
        b = bytearray(rng.randrange(256) for _ in range(rng.randint(0, 64)))
    return bytes(b)                          # kind 5: unchanged


def test_fuzzed_requests_never_crash_the_broker(rb):
    b = rb(args=["--group-initial-rebalance-delay-ms", "0", "--max-request-bytes", "1m"])
    rng = random.Random(20261121)
    table = seeds()
    host, port = "127.0.0.1", b.port
    sent = 0
    for conn_no in range(400):
        s = socket.create_connection((host, port))
        frames = b""
        for i in range(20):
            api, version, body = rng.choice(table)
            if rng.random() < 0.1:
                version = rng.choice([-1, version + 1, 99, 0x7fff])
            if rng.random() < 0.05:
                api = rng.choice([7, 57, 999, -1])
            header = struct.pack(">hhi", api, version, i) + kstr(rng.choice(["fuzz", None, "x" * 300]))
            if api == 18 and version >= 3:
                header += b"\x00"
            frame = header + (mutate(rng, body) if rng.random() < 0.3 else body)
            frames += struct.pack(">i", len(frame)) + frame
        s.sendall(frames)
        sent += 20
        s.settimeout(0.05 * SLOWDOWN)
        try:
            while s.recv(1 << 16):
                pass
        except (socket.timeout, ConnectionError):
            pass
        s.close()
        assert b.alive(), f"refbroker died after {sent} fuzzed requests:\n{b.output()[-3000:]}"
    # still serving, and consistent
    c = KafkaConn(b.bootstrap)
    assert c.request(18, 0, b"").i16() == 0
    c.close()
    r = kcat(["-b", b.bootstrap, "-L", "-J"])
    assert r.returncode == 0, r.stderr
