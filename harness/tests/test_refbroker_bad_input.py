"""refbroker against bad input: garbage, truncated and oversize frames,
negative sizes, unknown API keys and versions, malformed bodies, invalid
topic names, huge array counts, a CRC-corrupted batch. After each, the
offending connection is answered with a protocol error or closed with one
log line naming the peer, and the broker keeps serving everyone else (and
exits 0 at SIGTERM, so under ASan nothing leaked)."""
import os
import struct

import pytest

from kafka_util import (KafkaConn, Reader, fetch_body, kcat, kstr, log_has, metadata_body,
                        parse_fetch_v11, parse_produce_v7, produce_body, rb, record_batch)


def still_serves(broker):
    """A fresh client gets metadata: the broker survived."""
    c = KafkaConn(broker.bootstrap)
    r = c.request(18, 0, b"")
    assert r.i16() == 0
    c.close()
    res = kcat(["-b", broker.bootstrap, "-L", "-J"])
    assert res.returncode == 0, res.stderr


def peer_of(conn):
    host, port = conn.sock.getsockname()
    return f"{host}:{port}"


@pytest.mark.parametrize("payload,what", [
    (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "bad request size"),
    (struct.pack(">i", -5) + b"abcd", "bad request size -5"),
    (struct.pack(">i", 2) + b"ab", "bad request size 2"),
    (struct.pack(">i", 70000) + b"\x00" * 100, "bad request size 70000"),
    (struct.pack(">i", 0x7fffffff), "bad request size 2147483647"),
])
def test_bad_frame_sizes_close_only_that_connection(rb, payload, what):
    b = rb(args=["--max-request-bytes", "65536"])
    bystander = KafkaConn(b.bootstrap)
    c = KafkaConn(b.bootstrap)
    peer = peer_of(c)
    c.send_raw(payload)
    assert c.closed_by_peer()
    log_has(b, f"{peer}: closing connection: {what}")
    assert bystander.request(18, 0, b"").i16() == 0  # the other connection is untouched
    still_serves(b)


def test_truncated_frame_then_hangup(rb):
    b = rb()
    c = KafkaConn(b.bootstrap)
    peer = peer_of(c)
    c.send_raw(struct.pack(">i", 100) + b"\x00\x03\x00\x04" + b"\x00" * 20)
    c.sock.shutdown(2)
    c.close()
    log_has(b, f"{peer}: closing connection: peer closed in the middle of a request (28 bytes")
    still_serves(b)


def test_truncated_frame_left_hanging_does_not_block_others(rb):
    b = rb()
    c = KafkaConn(b.bootstrap)
    c.send_raw(struct.pack(">i", 1000) + b"\x00\x03")
    still_serves(b)
    c.close()


def test_unknown_api_key_and_version_close_with_a_log_line(rb):
    b = rb()
    c = KafkaConn(b.bootstrap)
    peer = peer_of(c)
    c.send(999, 0, b"")
    assert c.closed_by_peer()
    log_has(b, f"{peer}: closing connection: unsupported API key 999")
    c = KafkaConn(b.bootstrap)
    peer = peer_of(c)
    c.send(0, 99, b"")  # Produce v99
    assert c.closed_by_peer()
    log_has(b, f"{peer}: closing connection: unsupported Produce version 99 (supported 3-7")
    c = KafkaConn(b.bootstrap)
    c.send(1, 3, b"")  # Fetch v3: below our minimum
    assert c.closed_by_peer()
    still_serves(b)


def test_api_versions_unknown_version_gets_v0_unsupported_version(rb):
    b = rb()
    c = KafkaConn(b.bootstrap)
    r = c.request(18, 9, b"\x00garbage", flexible=True)
    assert r.i16() == 35  # UNSUPPORTED_VERSION
    n = r.i32()
    apis = {r.i16(): (r.i16(), r.i16()) for _ in range(n)}
    assert r.remaining() == 0  # v0 format: no throttle
    assert apis[18] == (0, 3)
    assert apis[0] == (3, 7) and apis[1] == (4, 11)
    # the connection stays usable: the client retries with a version we speak
    assert c.request(18, 0, b"").i16() == 0
    c.close()


def test_api_versions_v3_flexible_response(rb):
    b = rb()
    c = KafkaConn(b.bootstrap)
    body = b"\x08pytest1" + b"\x061.0.0" + b"\x00"  # compact strings + tags
    r = c.request(18, 3, body, flexible=True)
    assert r.i16() == 0
    n = r.uvarint() - 1
    apis = {}
    for _ in range(n):
        key, lo, hi = r.i16(), r.i16(), r.i16()
        assert r.uvarint() == 0
        apis[key] = (lo, hi)
    assert r.i32() == 0 and r.uvarint() == 0 and r.remaining() == 0
    assert apis[3] == (0, 4)
    # an invalid client software name: INVALID_REQUEST (librdkafka falls back to v0)
    r = c.request(18, 3, b"\x03-x" + b"\x021" + b"\x00", flexible=True)
    assert r.i16() == 42
    c.close()


@pytest.mark.parametrize("api,version,body,name", [
    (0, 7, kstr(None) + struct.pack(">hi", -1, 1000) + struct.pack(">i", 1) + kstr("t"), "Produce"),
    (3, 4, struct.pack(">i", 0x7fffffff) + kstr("t"), "Metadata"),            # huge array count
    (0, 7, kstr(None) + struct.pack(">hii", -1, 1000, 0x7ffffff0), "Produce"),  # huge topic count
    (1, 11, struct.pack(">iiii", -1, 100, 1, 1000), "Fetch"),                  # truncated
    (9, 5, kstr("g") + struct.pack(">i", -7), "OffsetFetch"),                  # negative count
    (11, 5, kstr("g"), "JoinGroup"),
])
def test_malformed_bodies_close_the_connection(rb, api, version, body, name):
    b = rb()
    c = KafkaConn(b.bootstrap)
    peer = peer_of(c)
    c.send(api, version, body)
    assert c.closed_by_peer()
    log_has(b, f"{peer}: closing connection: malformed {name} v{version} request")
    still_serves(b)


@pytest.mark.parametrize("name", ["../x", "a" * 250, "", "bad name!", ".", "..", "x/y", "\u00e9t\u00e9"])
def test_invalid_topic_names_never_touch_the_filesystem(rb, name):
    b = rb()
    before = set(os.listdir(b.data_dir))
    parent_before = set(os.listdir(b.data_dir.parent))
    c = KafkaConn(b.bootstrap)
    r = c.request(3, 4, metadata_body([name]))
    r.i32()
    for _ in range(r.i32()):
        r.i32(), r.string(), r.i32(), r.string()
    r.string()
    r.i32()
    assert r.i32() == 1
    assert r.i16() == 17  # INVALID_TOPIC_EXCEPTION
    res = parse_produce_v7(c.request(0, 7, produce_body(name, 0, record_batch([(None, b"v")]))))
    assert res[0][2] in (3, 17)
    c.close()
    assert set(os.listdir(b.data_dir)) == before
    assert set(os.listdir(b.data_dir.parent)) == parent_before
    still_serves(b)


def test_corrupt_batch_is_refused_and_nothing_is_written(rb):
    b = rb()
    c = KafkaConn(b.bootstrap)
    c.request(3, 4, metadata_body(["crc"]))
    good = record_batch([(b"k", b"first")])
    assert parse_produce_v7(c.request(0, 7, produce_body("crc", 0, good)))[0][2:4] == (0, 0)
    bad = bytearray(record_batch([(b"k", b"corrupt-me")]))
    bad[-3] ^= 0xFF  # flip a bit inside the record value: the CRC no longer matches
    res = parse_produce_v7(c.request(0, 7, produce_body("crc", 0, bytes(bad))))
    assert res[0][2] == 2  # CORRUPT_MESSAGE
    log_has(b, "Produce to crc-0 refused: CORRUPT_MESSAGE")
    f = parse_fetch_v11(c.request(1, 11, fetch_body("crc", 0, 0, max_wait_ms=0)))[0]
    assert f["error"] == 0 and f["hwm"] == 1  # nothing of the bad batch became visible
    # later writes and reads are clean and dense
    assert parse_produce_v7(c.request(0, 7, produce_body("crc", 0, record_batch([(b"k", b"second")]))))[0][2:4] == (0, 1)
    c.close()
    r = kcat(["-b", b.bootstrap, "-C", "-t", "crc", "-o", "beginning", "-e", "-q", "-f", "%o:%s\n"])
    assert r.stdout.decode().split() == ["0:first", "1:second"]


def test_acks0_error_closes_the_connection(rb):
    b = rb()
    c = KafkaConn(b.bootstrap)
    c.request(3, 4, metadata_body(["a0"]))
    bad = bytearray(record_batch([(None, b"x")]))
    bad[-1] ^= 1
    c.send(0, 7, produce_body("a0", 0, bytes(bad), acks=0))
    assert c.closed_by_peer()  # no response exists to carry the error
    still_serves(b)


def test_pipelined_requests_are_answered_in_order(rb):
    """kafka-python pipelines ApiVersions and Metadata; acks=0 produces in
    the middle of a pipeline get no response and shift nothing."""
    b = rb(args=["--fsync", "always"])
    c = KafkaConn(b.bootstrap)
    frames = b""
    expected = []
    c.request(3, 4, metadata_body(["pipe"]))
    for i in range(50):
        if i % 5 == 4:    # acks=0: no response
            api, version, body = 0, 7, produce_body("pipe", 0, record_batch([(None, b"n%d" % i)]), acks=0)
        elif i % 2:       # acks=1: held for the group commit under --fsync always
            api, version, body = 0, 7, produce_body("pipe", 0, record_batch([(None, b"a%d" % i)]), acks=1)
        else:             # ApiVersions: ready at once, but must wait its turn
            api, version, body = 18, 0, b""
        c.corr += 1
        header = struct.pack(">hhi", api, version, c.corr) + kstr("pipe")
        frames += struct.pack(">i", len(header) + len(body)) + header + body
        if i % 5 != 4:
            expected.append(c.corr)
    c.send_raw(frames)
    got = [c.recv()[0] for _ in expected]
    assert got == expected
    c.close()


def test_many_connections_at_once(rb):
    b = rb()
    conns = [KafkaConn(b.bootstrap) for _ in range(300)]
    for c in conns:
        c.send(18, 0, b"")
    for c in conns:
        corr, body = c.recv()
        assert corr == 1 and Reader(body).i16() == 0
    for c in conns:
        c.close()
    still_serves(b)
