"""Clock faults at run time (issue 5's event-time faults): the fault
executor hands a `clock` fault to the orchestrator, which tells the
producer over its control channel; the producer applies skew and lateness
to the event time it stamps into each message's identity header, for the
fault's window only. Checked on the messages themselves: the run drives a
refbroker this test started (--bootstrap), so the topic can be read after
the run and every identity header decoded independently of streamproof.
The producer is killed and restarted inside the window: its new
incarnation gets the fault too."""
import json
import struct

from confluent_kafka import Consumer, TopicPartition

from test_run_support import EXIT_VALID, faults_file, run_streamproof, workload

# identity.h: magic, writer, seq, key, size, intended_ns, sent_ns, event_time_ms, topic, checksum
IDENTITY = struct.Struct("<IIQIIQQqII")
MAGIC = 0x314D5053

SKEW_MS, LATE_MAX_MS = -5000, 1000
FAULTS = f"""
faults:
  - id: skewed
    kind: clock
    target: producer:0
    skew_ms: {SKEW_MS}
    late_fraction: 0.2
    late_max_ms: {LATE_MAX_MS}
    at_s: 2
    duration_s: 2
  - id: restart-inside
    kind: kill
    target: producer:0
    at_s: 2.6
    restart_after_s: 0.4
"""


def read_topic(bootstrap, topic, partitions):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "clock-check", "enable.auto.commit": False})
    out = []
    try:
        ends = {}
        for p in range(partitions):
            low, high = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            ends[p] = (low, high)
        c.assign([TopicPartition(topic, p, lo) for p, (lo, hi) in ends.items() if hi > lo])
        left = sum(hi - lo for lo, hi in ends.values())
        while left > 0:
            m = c.poll(5)
            assert m is not None, f"{left} messages not read back"
            if m.error():
                continue
            out.append((m.partition(), m.offset(), IDENTITY.unpack_from(m.value())))
            left -= 1
    finally:
        c.close()
    return out


def test_clock_fault_skews_event_times_in_its_window(tmp_path, broker_factory):
    b = broker_factory()
    w = workload(tmp_path, name="clock", producersPerTopic=2, producerRate=400, warmup_s=1, duration_s=5)
    run = run_streamproof([w, "--faults", faults_file(tmp_path, FAULTS), "--bootstrap", b.bootstrap],
                          cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_VALID, run.explain()
    recs = [json.loads(l) for l in (run.dir / "faults.jsonl").read_text().splitlines()]
    assert [(r["fault"], r["action"], r["result"]) for r in recs] == [
        ("skewed", "inject", "ok"), ("restart-inside", "inject", "ok"), ("restart-inside", "heal", "ok"),
        ("skewed", "heal", "ok")]
    # t0 on both clocks, from the inject record (wall has ms resolution)
    inj, heal = recs[0], recs[3]
    t0_mono = inj["mono_ns"] - round(inj["t_s"] * 1e9)
    from datetime import datetime
    wall = datetime.strptime(inj["wall"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
    t0_wall_ms = wall * 1000 - inj["t_s"] * 1000

    meta = run.meta
    topic = meta["topics"][0]["name"]
    skewed = {x["writer"] for x in meta["producers"][0]["writers"]}
    assert len(skewed) == 2  # the incarnation killed in the window, and its successor
    msgs = read_topic(b.bootstrap, topic, meta["topics"][0]["partitions"])
    # every acked message, and what the killed incarnation sent in its last
    # (unrecorded) second
    assert len(msgs) >= run.summary["counts"]["acked"]
    start, end = inj["t_s"], heal["t_s"]
    inside, outside, other = [], [], []
    by_writer = {}
    for part, off, (magic, writer, seq, key, size, intended, sent, event_ms, tix, crc) in msgs:
        assert magic == MAGIC
        # the producer stamps event time = wall time of the send + offset
        offset_ms = event_ms - (t0_wall_ms + (sent - t0_mono) / 1e6)
        t = (intended - t0_mono) / 1e9
        by_writer.setdefault((writer, part), []).append((off, event_ms))
        if writer not in skewed:
            other.append(offset_ms)
        elif start + 0.05 < t < end - 0.05:  # the control message takes a moment to arrive
            inside.append(offset_ms)
        elif t < start - 0.05 or t > end + 0.05:
            outside.append(offset_ms)
    tol = 3  # ms: wall-clock resolution of faults.jsonl and rounding
    assert len(inside) > 200 and outside and other  # 200 msg/s from producer:0 for 2 s, 0.4 s dead
    assert all(SKEW_MS - LATE_MAX_MS - tol <= o <= SKEW_MS + tol for o in inside), (min(inside), max(inside))
    late = [o for o in inside if o < SKEW_MS - tol]
    assert 0.1 < len(late) / len(inside) < 0.3, len(late) / len(inside)  # late_fraction 0.2
    restarted = max(skewed)
    assert sum(1 for p, o, m in msgs if m[1] == restarted and start < (m[5] - t0_mono) / 1e9 < end - 0.05) > 100
    assert all(abs(o) <= tol for o in outside), (min(outside), max(outside))
    assert all(abs(o) <= tol for o in other), (min(other), max(other))  # producer:1 untouched
    # late events come out of order: in the log a skewed producer's event
    # time goes backwards somewhere, the other's never does
    def backwards(key):
        seq = [e for _, e in sorted(by_writer[key])]
        return sum(1 for a, b in zip(seq, seq[1:]) if b < a)
    assert sum(backwards(k) for k in by_writer if k[0] in skewed) > 10
    assert sum(backwards(k) for k in by_writer if k[0] not in skewed) == 0

    # the run's own account: the clock window's event-time figures (readback)
    win = run.summary["fault_windows"][0]
    assert win["kind"] == "clock" and win["target"] == "producer:0"
    ev = win["event_time"]
    # (a message stamped within microseconds of a switch may fall on the
    # other side of it: the figures are judged by their bulk)
    assert ev["during"]["messages"] > 200 and ev["before"]["messages"] > 100
    assert SKEW_MS - LATE_MAX_MS - tol <= ev["during"]["offset_ms_min"] < SKEW_MS - 100
    assert SKEW_MS - LATE_MAX_MS <= ev["during"]["offset_ms_mean"] <= SKEW_MS + 50
    assert abs(ev["before"]["offset_ms_mean"]) <= 50 and ev["before"]["offset_ms_max"] <= tol
    assert "event time offset" in run.stdout
