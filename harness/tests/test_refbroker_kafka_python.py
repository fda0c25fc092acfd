"""kafka-python 2.0.2 (Debian python3-kafka) against refbroker: a client
that pipelines ApiVersions v0 with Metadata v0 on its first connection,
infers the broker version from the advertised ranges and then uses old,
hard-coded API versions (Metadata v1, Produce v7, Fetch v4, ListOffsets v1,
FindCoordinator v0, JoinGroup v2, SyncGroup/Heartbeat/LeaveGroup v1,
OffsetCommit v2, OffsetFetch v1). Skipped where python3-kafka is missing."""
import time

import pytest

from conftest import SLOWDOWN
from kafka_util import rb

kafka = pytest.importorskip("kafka")


def test_kafka_python_producer_and_group_consumer(rb):
    b = rb(args=["--group-initial-rebalance-delay-ms", "100", "--default-partitions", "2"])
    producer = kafka.KafkaProducer(bootstrap_servers=b.bootstrap, acks="all")
    futures = [producer.send("kp", key=b"k%d" % i, value=b"v%d" % i, partition=i % 2) for i in range(200)]
    producer.flush(30)
    metas = [f.get(timeout=30) for f in futures]
    for part in (0, 1):
        assert sorted(m.offset for m in metas if m.partition == part) == list(range(100))
    producer.close()

    def consume(n):
        c = kafka.KafkaConsumer("kp", bootstrap_servers=b.bootstrap, group_id="kpg",
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                consumer_timeout_ms=int(20000 * SLOWDOWN))
        got = []
        for msg in c:
            got.append(msg.value)
            if len(got) == n:
                break
        c.commit()
        c.close()
        return got

    first = consume(200)
    assert sorted(first) == sorted(b"v%d" % i for i in range(200))
    # committed: a new consumer of the group finds nothing old, only what is new
    p2 = kafka.KafkaProducer(bootstrap_servers=b.bootstrap)
    p2.send("kp", value=b"late", partition=0).get(timeout=30)
    p2.close()
    assert consume(1) == [b"late"]
