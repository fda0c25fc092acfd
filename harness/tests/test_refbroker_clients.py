"""refbroker with real Kafka clients: kcat (metadata, produce with keys,
headers and every acks setting, consume from every kind of start offset) and
python3-confluent-kafka (idempotent producer, group consumer that commits,
restarts and resumes, AdminClient topic creation)."""
import json
import subprocess
import time

import pytest
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from conftest import SLOWDOWN, wait_for
from kafka_util import (KafkaConn, kcat, kill9, list_offsets_body, parse_list_offsets_v2,
                        parse_produce_v7, produce_body, rb, record_batch, stop_clean)

N = 10_000


def test_kcat_metadata_lists_the_broker_as_controller(rb):
    b = rb(args=["--node-id", "7", "--default-partitions", "3"])
    r = kcat(["-b", b.bootstrap, "-L", "-J", "-t", "auto1"])
    assert r.returncode == 0, r.stderr
    md = json.loads(r.stdout)
    assert md["controllerid"] == 7
    assert md["brokers"] == [{"id": 7, "name": f"127.0.0.1:{b.port}"}]
    topic = [t for t in md["topics"] if t["topic"] == "auto1"][0]
    assert len(topic["partitions"]) == 3  # auto-created with --default-partitions
    assert all(p["leader"] == 7 and p["replicas"] == [{"id": 7}] for p in topic["partitions"])
    assert "auto-created topic auto1 (3 partitions)" in b.output()


def _produce_kcat(bootstrap, topic, acks, n=N):
    lines = b"".join(b"key-%d:value-%d-%s\n" % (i, i, b"x" * (i % 50)) for i in range(n))
    r = kcat(["-b", bootstrap, "-P", "-t", topic, "-p", "0", "-K", ":", "-H", "origin=pytest",
              "-H", f"acks={acks}", "-X", f"acks={acks}"], input_bytes=lines)
    assert r.returncode == 0, r.stderr
    return lines


def _consume_all(bootstrap, topic, extra=()):
    r = kcat(["-b", bootstrap, "-C", "-t", topic, "-e", "-q",
              "-f", "%p|%o|%k|%s|%h\n"] + list(extra))
    assert r.returncode == 0, r.stderr
    return r.stdout.decode().splitlines()


@pytest.mark.parametrize("acks", ["all", "1", "0"])
def test_kcat_round_trip_10000_messages(rb, acks):
    """Every message comes back exactly once, in order, with its key and
    headers, at dense offsets 0..N-1."""
    b = rb(args=["--fsync", "always"])
    topic = f"rt-{acks}"
    _produce_kcat(b.bootstrap, topic, acks)
    if acks == "0":  # no acks: wait for the data to be visible
        wait_for(lambda: len(_consume_all(b.bootstrap, topic, ["-o", "beginning"])) == N, 30,
                 "acks=0 messages to arrive")
    got = _consume_all(b.bootstrap, topic, ["-o", "beginning"])
    assert len(got) == N
    for i, line in enumerate(got):
        assert line == f"0|{i}|key-{i}|value-{i}-{'x' * (i % 50)}|origin=pytest,acks={acks}", line


def test_kcat_start_offsets(rb):
    b = rb()
    _produce_kcat(b.bootstrap, "offsets", "all", n=100)
    # -o N: absolute
    got = _consume_all(b.bootstrap, "offsets", ["-o", "37"])
    assert [int(l.split("|")[1]) for l in got] == list(range(37, 100))
    # -o -N: the last N
    got = _consume_all(b.bootstrap, "offsets", ["-o", "-5"])
    assert [int(l.split("|")[1]) for l in got] == list(range(95, 100))
    # -o beginning
    assert len(_consume_all(b.bootstrap, "offsets", ["-o", "beginning"])) == 100
    # -o end -e: nothing old
    assert _consume_all(b.bootstrap, "offsets", ["-o", "end"]) == []
    # -o end (waiting): only what is produced afterwards
    consumer = subprocess.Popen(["kcat", "-b", b.bootstrap, "-C", "-t", "offsets", "-o", "end",
                                 "-c", "3", "-q", "-f", "%o|%s\n"], stdout=subprocess.PIPE)
    time.sleep(1.5 * SLOWDOWN)  # let it resolve "end" before producing
    r = kcat(["-b", b.bootstrap, "-P", "-t", "offsets", "-p", "0"], input_bytes=b"n1\nn2\nn3\n")
    assert r.returncode == 0
    out, _ = consumer.communicate(timeout=30 * SLOWDOWN)
    assert out.decode().splitlines() == ["100|n1", "101|n2", "102|n3"]


def test_list_offsets_earliest_latest_and_by_time(rb):
    b = rb()
    c = KafkaConn(b.bootstrap)
    c.request(3, 4, b"\x00\x00\x00\x01" + b"\x00\x02ts" + b"\x01")  # Metadata: auto-create "ts"
    for i, ts in enumerate([1000, 2000, 3000]):
        batch = record_batch([(None, b"a%d" % i), (None, b"b%d" % i)], base_timestamp_ms=ts)
        res = parse_produce_v7(c.request(0, 7, produce_body("ts", 0, batch)))
        assert res[0][2] == 0 and res[0][3] == 2 * i
    q = lambda t: parse_list_offsets_v2(c.request(2, 2, list_offsets_body("ts", 0, t)))[0]
    assert q(-2)[1:] == (0, -1, 0)
    assert q(-1)[1:] == (0, -1, 6)
    assert q(1500) == (0, 0, 2000, 2)   # first record at or after 1500 ms
    assert q(3000) == (0, 0, 3000, 4)
    assert q(9999)[3] == -1             # nothing that late
    r = kcat(["-b", b.bootstrap, "-C", "-t", "ts", "-o", "s@2000", "-e", "-q", "-f", "%o\n"])
    assert r.stdout.decode().split() == ["2", "3", "4", "5"]
    c.close()


def test_idempotent_producer_dense_offsets_no_duplicates(rb):
    b = rb(args=["--default-partitions", "2"])
    p = Producer({"bootstrap.servers": b.bootstrap, "enable.idempotence": True, "linger.ms": 5})
    acked = []

    def on_delivery(err, msg):
        assert err is None, err
        acked.append((msg.partition(), msg.offset(), msg.value()))

    for i in range(5000):
        p.produce("idem", value=b"m%05d" % i, partition=i % 2, on_delivery=on_delivery)
        if i % 1000 == 0:
            p.poll(0)
    assert p.flush(30 * SLOWDOWN) == 0
    assert len(acked) == 5000
    for part in (0, 1):
        offsets = sorted(o for pp, o, _ in acked if pp == part)
        assert offsets == list(range(2500))
    got = _consume_all(b.bootstrap, "idem", ["-o", "beginning"])
    values = sorted(l.split("|")[3] for l in got)
    assert values == sorted("m%05d" % i for i in range(5000))  # no duplicates, none missing
    assert "InitProducerId" not in b.output() or "refused" not in b.output()


def _group_consumer(bootstrap, group, **extra):
    conf = {"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
            "enable.auto.commit": False, "session.timeout.ms": 6000}
    conf.update(extra)
    return Consumer(conf)


def _poll_values(consumer, n, timeout_s=30):
    vals = []
    deadline = time.monotonic() + timeout_s * SLOWDOWN
    while len(vals) < n and time.monotonic() < deadline:
        m = consumer.poll(0.2)
        if m is None:
            continue
        if m.error():
            assert m.error().code() == KafkaError._PARTITION_EOF, m.error()
            continue
        vals.append((m.offset(), m.value()))
    return vals


def test_consumer_commits_restarts_and_resumes_even_after_sigkill(rb, tmp_path):
    """A group consumer reads 600 of 1000, commits synchronously, closes; the
    broker is then killed with SIGKILL and restarted (--fsync always): a new
    consumer in the same group resumes at offset 600."""
    b = rb(args=["--fsync", "always", "--group-initial-rebalance-delay-ms", "100"])
    p = Producer({"bootstrap.servers": b.bootstrap})
    for i in range(1000):
        p.produce("resume", value=b"v%d" % i, partition=0)
    assert p.flush(30) == 0
    c = _group_consumer(b.bootstrap, "g-resume")
    c.subscribe(["resume"])
    got = _poll_values(c, 600)
    assert [o for o, _ in got] == list(range(600))
    c.commit(offsets=[TopicPartition("resume", 0, 600)], asynchronous=False)
    assert c.committed([TopicPartition("resume", 0)])[0].offset == 600
    c.close()

    kill9(b)
    b2 = rb(data_dir=b.data_dir, name="restarted", args=["--fsync", "always",
                                                        "--group-initial-rebalance-delay-ms", "100"])
    c2 = _group_consumer(b2.bootstrap, "g-resume")
    c2.subscribe(["resume"])
    got = _poll_values(c2, 400)
    assert got[0] == (600, b"v600")
    assert [o for o, _ in got] == list(range(600, 1000))
    c2.close()


def test_admin_create_topics(rb):
    b = rb(args=["--default-partitions", "2"])
    admin = AdminClient({"bootstrap.servers": b.bootstrap})

    def create(topics, **kw):
        fs = admin.create_topics(topics, **kw)
        out = {}
        for name, f in fs.items():
            try:
                f.result(timeout=20)
                out[name] = None
            except Exception as e:  # KafkaException carrying a KafkaError
                out[name] = e.args[0].code()
        return out

    assert create([NewTopic("made", 3, 1)]) == {"made": None}
    md = admin.list_topics(timeout=10)
    assert len(md.topics["made"].partitions) == 3
    assert create([NewTopic("made", 1, 1)]) == {"made": KafkaError.TOPIC_ALREADY_EXISTS}
    assert create([NewTopic("rf3", 1, 3)]) == {"rf3": KafkaError.INVALID_REPLICATION_FACTOR}
    assert create([NewTopic("cfg", 1, 1, config={"retention.ms": "10"})]) == {"cfg": KafkaError.INVALID_CONFIG}
    assert create([NewTopic("../escape", 1, 1)]) == {"../escape": KafkaError.TOPIC_EXCEPTION}
    assert create([NewTopic("dry", 4, 1)], validate_only=True) == {"dry": None}
    assert "dry" not in admin.list_topics(timeout=10).topics
    assert not (b.data_dir.parent / "escape-0").exists()
