"""Consumer groups: two subscribe() consumers split a topic's partitions,
one leaves and the other takes over; a member that dies is evicted after
its session timeout; kcat -G consumes through the group protocol; commits
from a stale generation are refused."""
import signal
import subprocess
import sys
import textwrap
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

from conftest import SLOWDOWN, wait_for
from kafka_util import kcat, log_has, rb

GROUP_ARGS = ["--default-partitions", "4", "--group-initial-rebalance-delay-ms", "200"]


class Member:
    """A subscribe() consumer that records its assignment."""

    def __init__(self, bootstrap, group, topic, **extra):
        conf = {"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                "enable.auto.commit": False, "session.timeout.ms": 6000,
                "heartbeat.interval.ms": 500}
        conf.update(extra)
        self.c = Consumer(conf)
        self.assigned = set()
        self.values = []
        self.c.subscribe([topic], on_assign=self._on_assign, on_revoke=self._on_revoke)

    def _on_assign(self, consumer, parts):
        self.assigned = {p.partition for p in parts}

    def _on_revoke(self, consumer, parts):
        self.assigned = set()

    def poll(self, rounds=1):
        for _ in range(rounds):
            m = self.c.poll(0.1)
            if m is not None and not m.error():
                self.values.append((m.partition(), m.value()))


def pump(members, cond, timeout_s, what):
    def step():
        for m in members:
            m.poll()
        return cond()
    return wait_for(step, timeout_s, what, interval_s=0)


def produce(bootstrap, topic, prefix, n=400):
    p = Producer({"bootstrap.servers": bootstrap})
    for i in range(n):
        p.produce(topic, value=b"%s-%d" % (prefix, i), partition=i % 4)
    assert p.flush(30) == 0


def test_two_members_split_partitions_then_one_takes_over(rb):
    b = rb(args=GROUP_ARGS)
    produce(b.bootstrap, "shared", b"a")
    m1 = Member(b.bootstrap, "split", "shared")
    m2 = Member(b.bootstrap, "split", "shared")
    pump([m1, m2], lambda: len(m1.assigned) == 2 and len(m2.assigned) == 2, 60,
         "both members to get two partitions each")
    assert m1.assigned.isdisjoint(m2.assigned)
    pump([m1, m2], lambda: len(m1.values) + len(m2.values) >= 400, 60, "all 400 messages")
    assert {p for p, _ in m1.values} <= m1.assigned and {p for p, _ in m2.values} <= m2.assigned
    assert sorted(v for _, v in m1.values + m2.values) == sorted(b"a-%d" % i for i in range(400))

    for m in (m1, m2):  # positions committed: after the rebalance reading resumes there
        m.c.commit(asynchronous=False)
    m1.c.close()  # LeaveGroup: the other member rebalances and takes everything
    log_has(b, "left the group")
    pump([m2], lambda: m2.assigned == {0, 1, 2, 3}, 60, "the survivor to own all 4 partitions")
    before = len(m2.values)
    produce(b.bootstrap, "shared", b"b")
    pump([m2], lambda: len(m2.values) - before >= 400, 60, "the survivor to read the new messages")
    new = [v for _, v in m2.values[before:]]
    assert sorted(new) == sorted(b"b-%d" % i for i in range(400))
    m2.c.close()


MEMBER_SCRIPT = textwrap.dedent("""
    import sys, time
    from confluent_kafka import Consumer
    c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": "deaths", "session.timeout.ms": 2000,
                  "heartbeat.interval.ms": 300, "auto.offset.reset": "earliest"})
    c.subscribe(["mortal"], on_assign=lambda c, p: print("assigned", len(p), flush=True))
    while True:
        c.poll(0.1)
""")


def test_dead_member_is_evicted_after_its_session_timeout(rb, tmp_path):
    b = rb(args=GROUP_ARGS)
    produce(b.bootstrap, "mortal", b"x", n=8)
    script = tmp_path / "member.py"
    script.write_text(MEMBER_SCRIPT)
    out = open(tmp_path / "member.out", "w+")
    victim = subprocess.Popen([sys.executable, str(script), b.bootstrap], stdout=out)
    try:
        wait_for(lambda: "assigned" in (tmp_path / "member.out").read_text(), 60, "the first member")
        survivor = Member(b.bootstrap, "deaths", "mortal")
        pump([survivor], lambda: len(survivor.assigned) == 2, 60, "a two-way split")
        victim.send_signal(signal.SIGKILL)  # no LeaveGroup: only the session timeout tells
        victim.wait()
        pump([survivor], lambda: survivor.assigned == {0, 1, 2, 3}, 60, "the survivor to take over")
        assert "session timeout of 2000 ms expired" in b.output()
        survivor.c.close()
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
        out.close()


def test_kcat_balanced_consumer(rb):
    b = rb(args=GROUP_ARGS)
    produce(b.bootstrap, "kg", b"k", n=100)
    r = kcat(["-b", b.bootstrap, "-G", "kcat-group", "-X", "auto.offset.reset=earliest", "-c", "100",
              "-q", "-f", "%s\n", "kg"], timeout_s=90)
    assert r.returncode == 0, r.stderr
    assert sorted(r.stdout.decode().split()) == sorted("k-%d" % i for i in range(100))
    log_has(b, "group kcat-group: generation 1 is up")


def test_commit_from_a_stale_generation_is_refused(rb):
    b = rb(args=GROUP_ARGS)
    produce(b.bootstrap, "gen", b"g", n=4)
    m1 = Member(b.bootstrap, "gens", "gen")
    pump([m1], lambda: len(m1.assigned) == 4, 60, "the first member")
    m1.c.commit(offsets=[TopicPartition("gen", 0, 1)], asynchronous=False)
    m2 = Member(b.bootstrap, "gens", "gen")
    pump([m1, m2], lambda: len(m2.assigned) == 2 and len(m1.assigned) == 2, 60, "a rebalance")
    # a simple (group-less) commit to a group with live members is refused
    outsider = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "gens"})
    try:
        outsider.commit(offsets=[TopicPartition("gen", 0, 3)], asynchronous=False)
        refused = False
    except KafkaException as e:
        refused = e.args[0].code() in (KafkaError.UNKNOWN_MEMBER_ID, KafkaError.ILLEGAL_GENERATION)
    assert refused
    outsider.close()
    got = m2.c.committed([TopicPartition("gen", 0)], timeout=10)[0].offset
    assert got == 1
    m1.c.close()
    m2.c.close()
