"""Fetch long-poll: an empty fetch waits for MaxWaitMs (never answering
early, which would make clients spin) and wakes as soon as an append makes
data visible; a parked fetch burns no CPU and holds back later requests on
its connection only."""
import threading
import time

import psutil

from conftest import SLOWDOWN
from kafka_util import (KafkaConn, fetch_body, metadata_body, parse_batches, parse_fetch_v11,
                        parse_produce_v7, produce_body, rb, record_batch)


def test_empty_fetch_waits_for_max_wait(rb):
    b = rb()
    c = KafkaConn(b.bootstrap)
    c.request(3, 4, metadata_body(["lp"]))
    t0 = time.monotonic()
    f = parse_fetch_v11(c.request(1, 11, fetch_body("lp", 0, 0, max_wait_ms=1500)))[0]
    waited = time.monotonic() - t0
    assert f["error"] == 0 and f["records"] == b""  # empty, never null
    assert waited >= 1.4  # the broker's timer never fires early
    c.close()


def test_fetch_wakes_when_data_arrives(rb):
    b = rb(args=["--fsync", "always"])
    c = KafkaConn(b.bootstrap)
    c.request(3, 4, metadata_body(["wake"]))

    def produce_later():
        time.sleep(0.5)
        p = KafkaConn(b.bootstrap)
        res = parse_produce_v7(p.request(0, 7, produce_body("wake", 0, record_batch([(None, b"hello")]))))
        assert res[0][2] == 0
        p.close()

    t = threading.Thread(target=produce_later)
    t0 = time.monotonic()
    t.start()
    f = parse_fetch_v11(c.request(1, 11, fetch_body("wake", 0, 0, max_wait_ms=60000), ))[0]
    elapsed = time.monotonic() - t0
    t.join()
    assert elapsed < 30 * SLOWDOWN  # woken by the append, not by the 60 s deadline
    batches = list(parse_batches(f["records"]))
    assert len(batches) == 1 and batches[0][0] == 0 and b"hello" in batches[0][2]
    assert f["hwm"] == 1
    c.close()


def test_min_bytes_waits_for_enough_data(rb):
    b = rb(args=["--fsync", "never"])
    c = KafkaConn(b.bootstrap)
    c.request(3, 4, metadata_body(["mb"]))
    p = KafkaConn(b.bootstrap)
    small = record_batch([(None, b"x")])
    result = {}

    def fetch():
        result["f"] = parse_fetch_v11(c.request(1, 11, fetch_body("mb", 0, 0, max_wait_ms=60000,
                                                                  min_bytes=3 * len(small))))[0]

    t = threading.Thread(target=fetch)
    t.start()
    for _ in range(3):
        time.sleep(0.3)
        assert "f" not in result  # not enough bytes yet: still parked
        assert parse_produce_v7(p.request(0, 7, produce_body("mb", 0, small)))[0][2] == 0
    t.join(timeout=30 * SLOWDOWN)
    assert len(list(parse_batches(result["f"]["records"]))) == 3
    p.close()
    c.close()


def test_parked_fetch_costs_no_cpu_and_blocks_only_its_connection(rb):
    b = rb()
    c = KafkaConn(b.bootstrap)
    c.request(3, 4, metadata_body(["idle"]))
    proc = psutil.Process(b.pid)
    cpu0 = sum(proc.cpu_times()[:2])
    corr_fetch = c.send(1, 11, fetch_body("idle", 0, 0, max_wait_ms=2000))
    corr_after = c.send(18, 0, b"")  # pipelined behind the parked fetch
    other = KafkaConn(b.bootstrap)
    assert other.request(18, 0, b"").i16() == 0  # other connections are served meanwhile
    first = c.recv()[0]
    second = c.recv()[0]
    assert (first, second) == (corr_fetch, corr_after)
    cpu = sum(proc.cpu_times()[:2]) - cpu0
    assert cpu < 1.0 * SLOWDOWN, f"{cpu:.2f} s of CPU while parked for 2 s: busy loop?"
    other.close()
    c.close()
