"""Fault windows (summary.json `fault_windows`, results/README.md) on a real
run: the broker frozen (SIGSTOP) for 2 s and a producer frozen for 2 s
later. Each window's figures agree with what the histories and the
timeline say happened, the run prints one line per fault, and the live
progress lines never show a rate that was not measured."""
import json
import re

import pytest

from test_run_support import ACK, EXIT_VALID, faults_file, run_streamproof, workload

FAULTS = """
faults:
  - id: broker-freeze
    kind: pause
    target: broker
    at_s: 3
    duration_s: 2
  - id: producer-freeze
    kind: pause
    target: producer:1
    at_s: 8
    duration_s: 2
"""


@pytest.fixture(scope="module")
def paused_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("windows")
    # 1000 msg/s from two producers for 1 + 11 s; the frozen producer sends
    # 1000 messages 2 s late: within the tolerance set here (else exit 5)
    w = workload(tmp, name="windows", producersPerTopic=2, producerRate=1000, warmup_s=1, duration_s=11,
                 schedule_tolerance={"max_lag_ms": 1000, "max_late_fraction": 0.5})
    return run_streamproof([w, "--faults", faults_file(tmp, FAULTS), "--progress-interval", "1"],
                           cwd=tmp, out_dir=tmp / "r")


def _window(run, fault):
    return next(w for w in run.summary["fault_windows"] if w["fault"] == fault)


def _acks(run):
    recs = [r for h in run.histories("producer-").values() for r in h if r["type"] == ACK]
    return sorted(recs, key=lambda r: r["t_ns"])


def test_broker_pause_window(paused_run):
    run = paused_run
    assert run.code == EXIT_VALID, run.explain()
    w = _window(run, "broker-freeze")
    assert w["kind"] == "pause" and w["target"] == "broker" and w["result"] == "ok" and w["healed"]
    assert 2.9 < w["start_s"] < 3.5 and 1.9 < w["duration_s"] < 2.5
    # no ack while the broker was stopped: the window's ack gap covers it
    # and matches the histories (same clock: t_s = (t_ns - t0) / 1e9)
    u = w["unavailability"]
    assert u["ack_gap_s"] >= w["duration_s"] - 0.05, u
    assert u["ack_gap_from_s"] <= w["start_s"] + 0.01 and u["ack_gap_to_s"] >= w["end_s"] - 0.01, (u, w)
    acks = _acks(run)
    gaps = [(b["t_ns"] - a["t_ns"]) / 1e9 for a, b in zip(acks, acks[1:])]
    assert abs(max(gaps) - u["ack_gap_s"]) < 0.001, (max(gaps), u)
    # the window's messages (intended while it lasted) were all acked, late
    assert u["messages_intended"] > 0 and u["acked"] == u["messages_intended"] and u["no_outcome"] == 0
    assert u["max_intended_to_ack_s"] >= w["duration_s"] - 0.1
    tp = w["throughput"]
    assert tp["during"]["acked_per_s"] == 0 and tp["during"]["consumed_per_s"] == 0
    assert tp["before"]["acked_per_s"] > 0 and tp["after"]["acked_per_s"] > 0
    assert tp["before"]["intended_per_s"] == pytest.approx(1000, rel=0.01)
    lat = w["latency"]
    assert lat["publish"]["max_ms"] >= 1900 and lat["publish"]["p99_ms"] > lat["publish_before"]["p99_ms"]
    assert lat["e2e"]["max_ms"] >= 1900
    assert w["errors"] == {"nacks": 0, "commit_errors": 0}
    c = w["consumer"]
    assert c["lag_max_ms"] >= 1900 and c["recovered"] is True and c["recovery_s"] is not None
    assert lat["publish_recovered_at_s"] >= w["end_s"]
    assert w["anomalies"] == {"counts": {}, "examples": []}


def test_producer_pause_window(paused_run):
    """A frozen producer sends nothing: its messages intended in the window
    go out late (the corrected latency shows the pause); the other producer
    keeps being acknowledged, so there is no gap in the run's acks."""
    run = paused_run
    w = _window(run, "producer-freeze")
    assert w["target"] == "producer:1" and w["healed"]
    writer = run.meta["producers"][1]["writers"]
    assert [x["exit"] for x in writer] == ["clean"]  # paused, not restarted
    recs = [r for r in run.history("producer-1.hist") if r["type"] == ACK]
    t0 = _t0_ns(run)
    sent_in = [r for r in recs if w["start_s"] + 0.05 < (r["t_sent_ns"] - t0) / 1e9 < w["end_s"] - 0.05]
    assert not sent_in, f"{len(sent_in)} messages sent by a stopped producer"
    assert w["unavailability"]["ack_gap_s"] < 1.0  # producer 0 carried on
    assert w["unavailability"]["max_intended_to_ack_s"] >= 1.5
    assert w["latency"]["publish"]["max_ms"] >= 1500


def _t0_ns(run):
    """t0 on CLOCK_MONOTONIC from faults.jsonl (mono_ns and t_s of a record)."""
    rec = json.loads((run.dir / "faults.jsonl").read_text().splitlines()[0])
    return rec["mono_ns"] - round(rec["t_s"] * 1e9)


def test_one_line_per_fault_and_settings(paused_run):
    run = paused_run
    lines = [l for l in run.stdout.splitlines() if l.startswith("  fault      ")]
    assert len(lines) == 2, run.stdout
    assert re.search(r"broker-freeze#0 pause broker 3\.\d\d-5\.\d\d s: no ack for [12]\.\d\d s", lines[0]), lines
    assert "producer-freeze#0 pause producer:1" in lines[1]
    assert "recovered" in lines[0]
    s = run.summary["fault_window_settings"]
    assert s["anomalies_checked"] is True and s["anomalies_complete"] is True
    assert s["bin_ms"] == 10.0 and s["context_s"] == 5.0


def test_progress_lines_are_honest(paused_run):
    """Plain progress lines (every second): before the workers' first
    report the rates read "-", never a 0 that was not measured; once the
    load runs a line never says 0 sent while the timeline says thousands
    went out; while the broker is frozen the acked rate drops to 0."""
    run = paused_run
    lines = [l for l in run.stderr.splitlines() if l.startswith("[")]
    assert len(lines) >= 8, run.stderr[-3000:]
    parsed = []
    for l in lines:
        m = re.match(r"\[\s*([\d.]+) /\s*[\d.]+ s\] (\w+)\s+sent (\S+)/s\s+acked (\S+)/s\s+consumed (\S+)/s", l)
        assert m, l
        parsed.append((float(m.group(1)), m.group(2), m.group(3), m.group(4), m.group(5)))
    rows = {int(r["t_s"]): r for r in run.timeline()}
    for t, phase, sent, acked, consumed in parsed:
        if sent == "-":
            assert t < 2.0, f"no rate yet at {t} s: {parsed}"
            continue
        if phase in ("warmup", "measure") and 1.5 < t < 11:
            assert sent != "0", f"'sent 0/s' at {t} s while the timeline says {rows[int(t) - 1]['sent']} sent"
    # the line's rate covers the workers' last complete round of reports
    # (a second, taken 0.2 s after it ends): rounds from 4.05 s to 5.05 s
    # lie inside the freeze (3 s - 5 s)
    frozen = [acked for t, _, _, acked, _ in parsed if 4.3 < t < 5.2]
    assert frozen and all(a == "0" for a in frozen), parsed
