"""refbroker's own libfiu fault points, armed in a running broker through
its remote-control FIFO (SP_FIU_CTRL) with fiu-ctrl, as the harness does:
a dropped produce ack makes the client retry (at-least-once: the data is
there, possibly twice), a dropped response closes only that connection,
and disarming restores normal service."""
import subprocess

import pytest
from confluent_kafka import Producer

from conftest import BIN_DIR
from kafka_util import KafkaConn, kcat, log_has, metadata_body, parse_produce_v7, produce_body, rb, record_batch

pytestmark = pytest.mark.needs_fiu


def fiu_built():
    r = subprocess.run(["ldd", str(BIN_DIR / "refbroker")], stdout=subprocess.PIPE)
    return b"libfiu" in r.stdout


def fiu(broker, prefix, command):
    r = subprocess.run(["fiu-ctrl", "-f", str(prefix), "-c", command, str(broker.pid)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10)
    assert r.returncode == 0 and b"error" not in r.stdout.lower(), r.stdout  # fiu-ctrl exits 0 on errors


@pytest.fixture
def fiu_broker(rb, tmp_path):
    if not fiu_built():
        pytest.skip("refbroker built without FIU_ENABLE")
    prefix = tmp_path / "fiu"
    b = rb(env={"SP_FIU_CTRL": str(prefix)}, args=["--fsync", "always"])
    yield b, prefix
    for f in tmp_path.glob("fiu-*"):
        f.unlink()


def test_dropped_produce_ack_means_retry_and_no_loss(fiu_broker):
    b, prefix = fiu_broker
    fiu(b, prefix, "enable name=refbroker/produce/after-append-before-ack,failnum=1,onetime")
    p = Producer({"bootstrap.servers": b.bootstrap, "retries": 5})
    reports = []
    p.produce("ackloss", b"only-once", partition=0, on_delivery=lambda err, msg: reports.append(err))
    assert p.flush(30) == 0
    assert reports == [None]  # the client saw success, after retrying
    log_has(b, "produce ack dropped")
    got = kcat(["-b", b.bootstrap, "-C", "-t", "ackloss", "-o", "beginning", "-e", "-q"]).stdout.split()
    assert got and set(got) == {b"only-once"}  # delivered at least once, nothing else


def test_dropped_response_closes_that_connection_only(fiu_broker):
    b, prefix = fiu_broker
    other = KafkaConn(b.bootstrap)
    assert other.request(18, 0, b"").i16() == 0
    fiu(b, prefix, "enable name=refbroker/net/before-response,failnum=1")
    c = KafkaConn(b.bootstrap)
    c.send(18, 0, b"")
    assert c.closed_by_peer()
    log_has(b, "fault point refbroker/net/before-response: responses dropped")
    fiu(b, prefix, "disable name=refbroker/net/before-response")
    assert other.request(3, 4, metadata_body(["after"])).i32() == 0  # throttle field
    res = parse_produce_v7(other.request(0, 7, produce_body("after", 0, record_batch([(None, b"x")]))))
    assert res[0][2] == 0
    other.close()
