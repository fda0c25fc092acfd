"""Crash-point sweep in the spirit of SQLite's crash tests: for every fault
point refbroker lists (`refbroker --list-fault-points`: a new point is
covered as soon as it is registered), start refbroker with --fsync always
and libfiu remote control, let a client run, arm the point to abort() at
its next hit once the client has had N operations acknowledged (N = 0: at
the very first one; larger N: mid-stream, with segments, batches and
commits behind it), see the broker die by SIGABRT at that point, restart it
on the same data directory, finish, and check what survived:

log points (a producer, acks=all, idempotent or not), every partition read
back from its log start:
  - every acknowledged message is at its acknowledged offset;
  - offsets are dense from the log start to the end;
  - per partition, the first copies keep the order they were produced in;
  - no message is stored twice when the producer is idempotent;
  - nothing unacknowledged survives after a gap: an unacknowledged message
    in the log has every message produced before it to that partition in
    the log before it (what survives a crash is a prefix of what was sent).
offset points (refbroker/offsets/*, a consumer committing synchronously):
  - every acknowledged commit survives the crash: the committed offset
    after the restart is the last acknowledged one, or the one in flight
    when the broker died.

A point the workload never reaches fails its test: the crash must be seen
(exit by SIGABRT, and the broker's "aborting the process" line naming the
point). The quick sweep runs each point twice; `-m slow` adds more N.
"""
import signal
import subprocess
import threading
import time

import pytest
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

from conftest import BIN_DIR, SLOWDOWN, binary, wait_for
from kafka_util import rb  # noqa: F401 (fixture)

pytestmark = pytest.mark.needs_fiu

PARTITIONS = 2
REACH_TIMEOUT_S = 20  # a point not hit within this (x SLOWDOWN) is unreachable: a failure


def fault_points():
    """(name, meaning) of every refbroker point; [] when refbroker is absent."""
    path = BIN_DIR / "refbroker"
    if not path.exists():
        return []
    out = subprocess.run([str(path), "--list-fault-points"], capture_output=True, text=True, timeout=10)
    return [tuple(line.split("\t", 1)) for line in out.stdout.splitlines() if "\t" in line]


def fiu_built():
    r = subprocess.run(["ldd", binary("refbroker")], stdout=subprocess.PIPE)
    return b"libfiu" in r.stdout


def is_offsets_point(name):
    return name.startswith("refbroker/offsets/")


# What each point needs from the broker to be on the workload's path:
# small segments (rolls every few hundred messages), retention that deletes.
SEGMENTS = ["--segment-bytes", "16k"]
RETENTION = ["--retention-bytes", "48k", "--retention-check-ms", "100"]


def broker_args(point):
    args = ["--fsync", "always", "--default-partitions", str(PARTITIONS),
            "--group-initial-rebalance-delay-ms", "0"] + SEGMENTS
    if point == "refbroker/log/retention-delete":
        args += RETENTION
    return args


# Producer modes: idempotent (retries, no duplicates allowed); "retries"
# (not idempotent: a batch written but not acknowledged comes back as a
# duplicate); "no-retries" (a failed request fails its messages: some of
# them may survive in the log unacknowledged, which the prefix rule judges).
MODES = ("idempotent", "retries", "no-retries")
# (N acknowledged operations before arming, mode): the quick sweep, then
# the deep one (-m slow)
QUICK = [(0, "idempotent"), (300, "no-retries"), (1500, "retries")]
DEEP = [(n, mode) for n in (0, 20, 300, 1500) for mode in MODES if (n, mode) not in QUICK]


def cases():
    quick, deep = [], []
    for name, _ in fault_points() or [("refbroker-not-built", "")]:
        offsets = is_offsets_point(name)
        for n, mode in QUICK:
            if not offsets or mode == "idempotent" or n == 300:  # the committer has no producer mode
                quick.append(pytest.param(name, n, mode, id=f"{name}-N{n}-{mode}"))
        for n, mode in DEEP:
            if not offsets or mode == "idempotent":
                deep.append(pytest.param(name, n, mode, id=f"{name}-N{n}-{mode}", marks=pytest.mark.slow))
    return quick + deep


class Armed:
    """A refbroker with libfiu remote control, and the crash at one point."""

    def __init__(self, rb, tmp_path, point):
        if not fiu_built():
            pytest.skip("refbroker built without FIU_ENABLE")
        self.rb, self.point = rb, point
        self.prefix = tmp_path / "fiu"
        self.data = tmp_path / "data"
        self.args = broker_args(point)
        self.broker = rb(data_dir=self.data, args=self.args, env={"SP_FIU_CTRL": str(self.prefix)})
        self.armed_at = None

    def arm(self):
        cmd = f"enable name={self.point},failnum=3,failinfo=0,onetime"
        r = subprocess.run(["fiu-ctrl", "-f", str(self.prefix), "-c", cmd, str(self.broker.pid)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10)
        # fiu-ctrl exits 0 even when the command failed: read what it says
        assert r.returncode == 0 and b"error" not in r.stdout.lower(), r.stdout
        self.armed_at = time.monotonic()

    def crashed(self):
        return self.armed_at is not None and not self.broker.alive()

    def assert_crash_seen(self):
        rc = self.broker.popen.wait(timeout=10 * SLOWDOWN)
        self.broker.killed = True  # an aborted broker is not expected to exit 0
        log = self.broker.output()
        assert rc == -signal.SIGABRT, f"refbroker exited {rc}, not by SIGABRT at {self.point}:\n{log[-3000:]}"
        assert f"fault: {self.point}: aborting the process" in log, log[-3000:]

    def restart(self):
        self.broker = self.rb(data_dir=self.data, args=self.args, port=self.broker.port, name="restarted")
        return self.broker

    def reach_deadline_passed(self):
        return time.monotonic() - self.armed_at > REACH_TIMEOUT_S * SLOWDOWN


def fail_unreached(armed, what):
    pytest.fail(f"fault point {armed.point} was not reached within {REACH_TIMEOUT_S * SLOWDOWN:.0f} s of "
                f"arming ({what}): the sweep needs a workload that crosses it\n"
                f"{armed.broker.output()[-2000:]}")


# ---- log points: a producer ------------------------------------------------

class Sender:
    """A confluent-kafka producer writing numbered messages round-robin over
    the partitions; remembers what was sent where and what was acked."""

    def __init__(self, bootstrap, topic, mode):
        conf = {"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 2,
                "enable.idempotence": mode == "idempotent", "message.timeout.ms": 120000,
                "retry.backoff.ms": 50, "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 500,
                "socket.connection.setup.timeout.ms": 2000}
        if mode != "idempotent":
            conf["max.in.flight.requests.per.connection"] = 1  # retries cannot reorder
        if mode == "no-retries":
            conf["retries"] = 0
        self.p = Producer(conf)
        self.topic = topic
        self.next = 0
        self.sent = {p: [] for p in range(PARTITIONS)}  # partition -> seqs in produce order
        self.acked = {}  # seq -> (partition, offset)
        self.failed = {}  # seq -> error

    def _report(self, err, msg):
        seq = int(msg.value()[:9])
        if err is None:
            self.acked[seq] = (msg.partition(), msg.offset())
        else:
            self.failed[seq] = err

    def send(self, n):
        for _ in range(n):
            seq, part = self.next, self.next % PARTITIONS
            value = b"%09d:" % seq + b"x" * 90
            try:
                self.p.produce(self.topic, value=value, partition=part, on_delivery=self._report)
            except BufferError:
                break
            self.sent[part].append(seq)
            self.next += 1
        self.p.poll(0.002)

    def finish(self):
        left = self.p.flush(120 * SLOWDOWN)
        assert left == 0, f"{left} messages still undelivered after the flush"


def read_log(bootstrap, topic):
    """partition -> (log start, [(offset, seq)]) read from the log start to the end."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "crash-readback", "enable.auto.commit": False,
                  "enable.partition.eof": False})
    out = {}
    try:
        for part in range(PARTITIONS):
            low, high = c.get_watermark_offsets(TopicPartition(topic, part), timeout=10)
            out[part] = (low, high, [])
        c.assign([TopicPartition(topic, p, out[p][0]) for p in range(PARTITIONS) if out[p][1] > out[p][0]])
        deadline = time.monotonic() + 60 * SLOWDOWN
        while any(out[p][2][-1][0] + 1 < out[p][1] if out[p][2] else out[p][1] > out[p][0]
                  for p in range(PARTITIONS)):
            assert time.monotonic() < deadline, "readback did not reach the end offsets"
            m = c.poll(0.5)
            if m is None or m.error():
                continue
            low, high, recs = out[m.partition()]
            if m.offset() < high:
                recs.append((m.offset(), int(m.value()[:9])))
    finally:
        c.close()
    return out


def check_log(sender, log, idempotent):
    """The invariants of the module docstring, per partition. Returns the
    messages stored twice and the unacknowledged ones that survived."""
    copies, survivors = {}, []
    sent = set(range(sender.next))
    for part, (low, high, recs) in log.items():
        offsets = [o for o, _ in recs]
        assert offsets == list(range(low, high)), f"partition {part}: offsets not dense from {low} to {high}"
        at = dict(recs)
        for seq, (p, off) in sender.acked.items():
            if p == part and off >= low:
                assert at.get(off) == seq, (f"acked message {seq} not at its offset {part}@{off} "
                                            f"(found {at.get(off)})")
        first = []
        for _, seq in recs:
            assert seq in sent and seq % PARTITIONS == part, f"partition {part}: message {seq} was never sent there"
            copies[seq] = copies.get(seq, 0) + 1
            if copies[seq] == 1:
                first.append(seq)
        assert first == sorted(first), f"partition {part}: produce order not kept: {first[:50]}..."
        produced = sender.sent[part]
        if first:  # retention may have deleted a prefix: compare from the first stored message
            produced = produced[produced.index(first[0]):]
        for i, seq in enumerate(first):
            if seq not in sender.acked:
                survivors.append(seq)
                assert first[:i + 1] == produced[:i + 1], (
                    f"partition {part}: unacknowledged message {seq} survived after a gap "
                    f"(log {first[max(0, i - 5):i + 1]}, produced {produced[max(0, i - 5):i + 1]})")
    twice = [s for s, n in copies.items() if n > 1]
    if idempotent:
        assert not twice, f"idempotent producer, yet {len(twice)} messages stored twice: {twice[:10]}"
    return twice, survivors


def sweep_log_point(rb, tmp_path, point, n, mode):
    armed = Armed(rb, tmp_path, point)
    topic = "crash"
    s = Sender(armed.broker.bootstrap, topic, mode)
    deadline = time.monotonic() + 60 * SLOWDOWN
    while len(s.acked) < max(n, 1):  # N acknowledged before arming (and the topic exists)
        assert time.monotonic() < deadline, f"only {len(s.acked)} of {n} acks before arming"
        s.send(20)
    armed.arm()
    while not armed.crashed():
        if armed.reach_deadline_passed():
            fail_unreached(armed, f"{len(s.acked)} messages acked")
        s.send(20)
        time.sleep(0.001)
    armed.assert_crash_seen()
    acked_before = len(s.acked)
    s.send(50)  # sent while the broker is down: queued by the client
    b = armed.restart()
    for _ in range(20):  # a little more after the restart
        s.send(20)
    s.finish()
    log = read_log(b.bootstrap, topic)
    twice, survivors = check_log(s, log, mode == "idempotent")
    assert len(s.acked) > acked_before, "nothing was acknowledged after the restart"
    assert len(s.acked) + len(s.failed) == s.next, "a message has no delivery report"
    if mode != "retries":
        assert not twice, f"{len(twice)} messages stored twice without client retries: {twice[:10]}"
    print(f"{point} N={n} {mode}: {acked_before} acked before the crash, {len(s.acked)} in all, "
          f"{len(s.failed)} failed, {len(twice)} stored twice, {len(survivors)} unacknowledged survivors")


# ---- offset points: a committing consumer -----------------------------------

def sweep_offsets_point(rb, tmp_path, point, n):
    """A consumer commits synchronously after every few messages; the point
    is armed after n acknowledged commits. A synchronous commit in flight
    when the broker dies waits for it to come back (librdkafka retries), so
    a watcher thread restarts the broker as soon as it is seen dead."""
    armed = Armed(rb, tmp_path, point)
    topic = "commits"
    s = Sender(armed.broker.bootstrap, topic, "idempotent")
    while s.next < 2000 + 6 * n:
        s.send(200)
    s.finish()
    group = "crash-committer"
    c = Consumer({"bootstrap.servers": armed.broker.bootstrap, "group.id": group, "enable.auto.commit": False,
                  "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
                  "reconnect.backoff.max.ms": 500})
    acked = {}      # partition -> last offset whose commit was acknowledged
    attempted = {}  # partition -> highest offset ever sent in a commit
    commits = 0
    crash = {}
    finished = threading.Event()

    def watch():
        crash["rc"] = armed.broker.popen.wait()
        crash["dead"] = armed.broker
        armed.restart()
        crash["restarted"] = True
        # PR_SET_PDEATHSIG is per thread: the broker this thread started
        # would be killed the moment the thread ended
        finished.wait()

    watcher = threading.Thread(target=watch, daemon=True)
    try:
        c.subscribe([topic])
        deadline = time.monotonic() + 60 * SLOWDOWN
        while "dead" not in crash:
            if armed.armed_at is None:
                assert time.monotonic() < deadline, f"only {commits} commits acknowledged before arming"
            elif armed.reach_deadline_passed():
                fail_unreached(armed, f"{commits} commits acknowledged")
            msgs = c.consume(5, 0.2)
            positions = {m.partition(): m.offset() + 1 for m in msgs if not m.error()}
            if not positions:
                continue
            offsets = [TopicPartition(topic, p, o) for p, o in positions.items()]
            for tp in offsets:
                attempted[tp.partition] = max(attempted.get(tp.partition, 0), tp.offset)
            try:
                c.commit(offsets=offsets, asynchronous=False)
            except KafkaException:
                continue  # failed: not acknowledged (the broker died, or came back without the group)
            for tp in offsets:
                acked[tp.partition] = tp.offset
            commits += 1
            if commits >= max(n, 1) and armed.armed_at is None:
                watcher.start()
                armed.arm()
    finally:
        c.close()
    wait_for(lambda: crash.get("restarted"), 30, "the broker to be restarted")
    dead = crash["dead"]
    dead.killed = True
    log = dead.output()
    assert crash["rc"] == -signal.SIGABRT, f"refbroker exited {crash['rc']}, not by SIGABRT:\n{log[-3000:]}"
    assert f"fault: {point}: aborting the process" in log, log[-3000:]
    check = Consumer({"bootstrap.servers": armed.broker.bootstrap, "group.id": group,
                      "enable.auto.commit": False})
    try:
        got = {tp.partition: tp.offset for tp in
               check.committed([TopicPartition(topic, p) for p in acked], timeout=30 * SLOWDOWN)}
    finally:
        check.close()
    assert acked, "no commit was acknowledged"
    for part, off in acked.items():
        assert off <= got[part] <= attempted[part], (
            f"partition {part}: committed {got[part]} after the restart; acknowledged {off}, "
            f"highest attempted {attempted[part]}")
    # the restarted broker must stop cleanly, and from here: its thread
    # ending would kill it (PR_SET_PDEATHSIG)
    assert armed.broker.stop() == 0, armed.broker.output()[-3000:]
    finished.set()


@pytest.mark.parametrize("point,n,mode", cases())
def test_crash_at_point(rb, tmp_path, point, n, mode):
    if point == "refbroker-not-built":
        pytest.fail(f"{BIN_DIR}/refbroker not built: no fault points to sweep")
    if is_offsets_point(point):
        sweep_offsets_point(rb, tmp_path, point, n)
    else:
        sweep_log_point(rb, tmp_path, point, n, mode)


def test_the_sweep_covers_every_listed_point():
    """The sweep's cases come from the binary's list, not a copy of it."""
    listed = {name for name, _ in fault_points()}
    assert len(listed) >= 9, listed
    swept = {c.values[0] for c in cases()}
    assert swept == listed
