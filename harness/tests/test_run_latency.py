"""Coordinated omission (issue 3): latency is measured from each message's
intended send time, so a stall of the system shows up in full even when the
load generator itself was held up by it; the uncorrected twin (from the
actual send) is what a closed-loop tool would report."""
from test_run_support import EXIT_SCHEDULE, EXIT_VALID, faults_file, run_streamproof, workload

PAUSE = """
faults:
  - id: broker-freeze
    kind: pause
    target: broker
    at_s: 3
    duration_s: 2
"""


def _co_workload(tmp_path):
    # 1000 msg/s for 1 + 7 s: the 2 s pause holds 2000 of 8000 messages (25%),
    # far more than the 1% above which the p99 must show it
    return workload(tmp_path, name="co", producerRate=1000, warmup_s=1, duration_s=7)


def _pause_seconds(run):
    return [r for r in run.timeline() if int(r["t_s"]) in (3, 4)]


def test_broker_pause_shows_in_corrected_e2e(tmp_path):
    run = run_streamproof([_co_workload(tmp_path), "--faults", faults_file(tmp_path, PAUSE)],
                          cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_VALID, run.explain()
    s = run.summary
    assert s["faults"] == 1
    # nothing was acknowledged while the broker was stopped (second 4 lies
    # wholly inside the pause; second 3 may hold acks sent just before it)
    rows = _pause_seconds(run)
    assert int(rows[1]["acked"]) == 0 and int(rows[0]["acked"]) < 100, rows
    # the timeline shows the fault's window (same clock as faults.jsonl)
    active = [int(r["faults_active"]) for r in run.timeline()]
    assert active[2] == 0 and active[3] == active[4] == 1 and active[6] == 0, active
    assert s["aggregatedEndToEndLatency99pct"] >= 1000.0, s["aggregatedEndToEndLatency99pct"]
    assert s["aggregatedPublishLatency99pct"] >= 1000.0
    assert s["aggregatedEndToEndLatencyMax"] >= 1900.0  # the first message held by the pause
    # the client kept accepting messages (its queue is large): on schedule
    assert s["schedule"]["kept"] is True
    assert s["counts"]["consumed"] == s["counts"]["acked"] == s["counts"]["intended"]


def test_blocked_sends_hidden_only_from_uncorrected(tmp_path):
    """A 10-message client queue makes the producer block during the pause:
    it sends those messages late, so from the actual send they look fast;
    from the intended time they carry the pause."""
    run = run_streamproof([_co_workload(tmp_path), "--faults", faults_file(tmp_path, PAUSE),
                           "-X", "queue.buffering.max.messages=10"],
                          cwd=tmp_path, out_dir=tmp_path / "r")
    s = run.summary
    corrected = s["aggregatedPublishLatency99pct"]
    uncorrected = s["uncorrected"]["aggregatedPublishLatency99pct"]
    assert corrected >= 1000.0, corrected
    assert uncorrected < 300.0 and uncorrected * 5 < corrected, (corrected, uncorrected)
    assert s["aggregatedEndToEndLatency99pct"] >= 1000.0
    assert s["uncorrected"]["aggregatedEndToEndLatency99pct"] < 300.0
    # the producer was held up (it sent nothing during the pause) ...
    assert sum(int(r["sent"]) for r in _pause_seconds(run)) < 100
    assert s["aggregatedPublishDelayLatencyMax"] >= 1.5e6  # us behind schedule
    # ... and the run says it could not keep its schedule: exit 5, not hidden
    assert s["schedule"]["kept"] is False and s["schedule"]["late"] > 0
    assert run.code == EXIT_SCHEDULE, run.explain()
    assert "could not keep its schedule" in run.stdout
    assert s["verdict"] == "valid"  # delivery itself was fine


def test_messages_never_sent_by_the_end_break_the_schedule(tmp_path):
    """The broker is paused from 3 s to past the end with a 10-message client
    queue: the producer is blocked when the run stops it, and the messages
    due before the end that it never sent count as late, so the run says it
    did not keep its schedule (exit 5) instead of leaving a quiet gap
    between intended and sent."""
    w = workload(tmp_path, name="abandon", producerRate=1000, warmup_s=1, duration_s=3)
    f = faults_file(tmp_path, """
        faults:
          - id: late-pause
            kind: pause
            target: broker
            at_s: 3
            duration_s: 3
        """)
    run = run_streamproof([w, "--faults", f, "-X", "queue.buffering.max.messages=10"],
                          cwd=tmp_path, out_dir=tmp_path / "r")
    s = run.summary
    unsent = s["counts"]["intended"] - s["counts"]["sent"]
    assert unsent > 500, s["counts"]  # about a second's worth at least
    assert s["schedule"]["late"] >= 0.8 * unsent, (s["schedule"], s["counts"])  # counted, not a quiet gap
    assert s["schedule"]["kept"] is False
    assert run.code == EXIT_SCHEDULE, run.explain()
    assert "never sent" in run.stdout
    assert s["verdict"] == "valid"  # what was sent was delivered
