"""Faults injected through `streamproof run` (issue 5): the orchestrator
gives the fault executor its processes (broker, workers), starts spproxy
for link faults, restarts what a fault killed, and the results relate to
faults.jsonl."""
import json

import pytest

from test_run_support import (EXIT_VALID, acked_offsets, apply_counts, faults_file,
                              run_streamproof, workload)


def _faults(run):
    return [json.loads(line) for line in (run.dir / "faults.jsonl").read_text().splitlines()]


def test_broker_kill_and_restart_loses_nothing_acked(tmp_path):
    """SIGKILL the embedded broker at 2 s, restart it 1 s later on the same
    port and data directory: with fsync always nothing acknowledged is lost,
    and the clients resume."""
    w = workload(tmp_path, name="bkill", producerRate=500, warmup_s=1, duration_s=10, drain_timeout_s=60)
    text = w.read_text().replace("fsync: never", "fsync: always")
    w.write_text(text)
    f = faults_file(tmp_path, """
        faults:
          - id: broker-crash
            kind: kill
            target: broker
            at_s: 2
            restart_after_s: 1
        """)
    run = run_streamproof([w, "--faults", f], cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_VALID, run.explain()
    recs = _faults(run)
    assert [(r["action"], r["result"]) for r in recs] == [("inject", "ok"), ("heal", "ok")]
    assert recs[0]["target"] == "broker" and 1.9 < recs[0]["t_s"] < 3.0
    log = (run.dir / "logs" / "broker.log").read_text()
    starts = [l for l in log.splitlines() if l.startswith("refbroker listening on")]
    assert len(starts) == 2 and starts[0] == starts[1], starts  # same port, one log
    acked = acked_offsets(run)
    assert acked and acked <= set(apply_counts(run))
    s = run.summary
    assert s["faults"] == 1 and s["counts"]["acked"] == s["counts"]["intended"]
    # the outage shows in the corrected latency
    assert s["aggregatedPublishLatencyMax"] >= 900.0
    # the checker read every partition back: no acknowledged message missing
    v = run.json("verdict.json")
    missing = v["anomalies"]["acked-but-missing"]
    assert v["verdict"] == "valid" and missing["checked"] is True and missing["count"] == 0, missing
    # the fault's window: down for about a second, nothing acked meanwhile,
    # then the backlog it left was consumed
    win = s["fault_windows"][0]
    assert win["healed"] and 0.9 < win["duration_s"] < 2.0
    assert win["unavailability"]["ack_gap_s"] >= win["duration_s"] - 0.05
    assert win["throughput"]["during"]["acked_per_s"] == 0
    assert win["consumer"]["recovered"] is True


def test_link_latency_through_spproxy(tmp_path):
    """100 ms each way on the link for 2 s: clients reach the broker through
    spproxy (refbroker advertises the proxy), publish latency rises by the
    round trip while the toxic is in force and not after it is healed."""
    w = workload(tmp_path, name="link", producerRate=200, warmup_s=1, duration_s=5)
    f = faults_file(tmp_path, """
        faults:
          - id: slow-link
            kind: net
            target: link
            toxic: latency
            direction: both
            latency_ms: 100
            at_s: 2
            duration_s: 2
        """)
    run = run_streamproof([w, "--faults", f], cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_VALID, run.explain()
    s = run.summary
    assert s["broker"]["proxy"] is True
    assert "--advertise" in (run.dir / "logs" / "broker.log").read_text() or \
        "advertised as 127.0.0.1" in (run.dir / "logs" / "broker.log").read_text()
    assert [(r["action"], r["result"]) for r in _faults(run)] == [("inject", "ok"), ("heal", "ok")]
    rows = {int(r["t_s"]): r for r in run.timeline()}
    assert float(rows[3]["publish_p50_ms"]) >= 200.0  # inside the fault window
    assert float(rows[5]["publish_p50_ms"]) < 100.0   # healed
    # every message intended in the window paid at least the round trip
    lat = s["fault_windows"][0]["latency"]
    assert lat["publish"]["p50_ms"] >= 200.0 and lat["publish_before"]["p99_ms"] < 200.0, lat


def test_producer_kill_gets_new_writer_id(tmp_path):
    """A killed producer comes back as a new writer (new id, sequence from
    0) appending to the same history file; its dead time is intended but
    never sent by anyone."""
    w = workload(tmp_path, name="pkill", producerRate=500, warmup_s=1, duration_s=5)
    f = faults_file(tmp_path, """
        faults:
          - id: producer-crash
            kind: kill
            target: producer:0
            at_s: 2
            restart_after_s: 1
        """)
    run = run_streamproof([w, "--faults", f], cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_VALID, run.explain()
    writers = run.meta["producers"][0]["writers"]
    assert [x["exit"] for x in writers] == ["killed", "clean"]
    assert writers[0]["writer"] != writers[1]["writer"]
    recs = run.history("producer-0.hist")
    starts = [r["actor"] for r in recs if r["type"] == 1]
    assert starts == [writers[0]["writer"], writers[1]["writer"]]
    c = run.summary["counts"]
    assert c["sent"] < c["intended"]  # about a second of schedule was never sent
    assert c["intended"] - c["sent"] >= 300


@pytest.mark.needs_fiu
def test_fsync_failures_at_a_fault_point_and_in_libc(tmp_path):
    """refbroker's own libfiu point fails the group commit's fsync for 2 s
    (armed through SP_FIU_CTRL), then the POSIX preload fails 20% of libc's
    fsync/fdatasync (the broker runs under it): nothing is acknowledged while
    its fsync fails, the clients retry, nothing acknowledged is lost."""
    w = workload(tmp_path, name="fsync", producerRate=500, warmup_s=1, duration_s=8, drain_timeout_s=60,
                 producer={"acks": "all"})
    w.write_text(w.read_text().replace("fsync: never", "fsync: always"))
    f = faults_file(tmp_path, """
        faults:
          - id: before-fsync-eio
            kind: fiu
            target: broker
            point: refbroker/log/before-fsync
            mode: fail
            errno: EIO
            at_s: 2
            duration_s: 2
          - id: libc-fsync-eio
            kind: disk
            target: broker
            ops: [fsync, fdatasync]
            errno: EIO
            probability: 0.2
            at_s: 5
            duration_s: 2
        """)
    run = run_streamproof([w, "--faults", f], cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_VALID, run.explain()
    assert [(r["fault"], r["action"], r["result"]) for r in _faults(run)] == [
        ("before-fsync-eio", "inject", "ok"), ("before-fsync-eio", "heal", "ok"),
        ("libc-fsync-eio", "inject", "ok"), ("libc-fsync-eio", "heal", "ok")]
    rows = {int(r["t_s"]): r for r in run.timeline()}
    assert int(rows[3]["acked"]) == 0  # wholly inside the fsync failure
    # its effect on the producers: errors, or a stall of about the window
    eio = next(w for w in run.summary["fault_windows"] if w["fault"] == "before-fsync-eio")
    assert eio["errors"]["nacks"] > 0 or eio["unavailability"]["max_intended_to_ack_s"] >= 1.5, eio
    assert eio["throughput"]["during"]["acked_per_s"] == 0
    assert "refbroker/log/before-fsync: failing with errno" in (run.dir / "logs" / "broker.log").read_text()
    acked = acked_offsets(run)
    assert acked and acked <= set(apply_counts(run))
    assert run.summary["counts"]["acked"] == run.summary["counts"]["intended"]


def test_a_fault_scheduled_after_the_end_never_fires(tmp_path):
    """A schedule whose only fault lies after the run's end: the run still
    completes and is checked (no fault window, nothing injected), and the
    report path is printed exactly once."""
    w = workload(tmp_path, name="late", warmup_s=1, duration_s=2)
    f = faults_file(tmp_path, """
        faults:
          - id: too-late
            kind: kill
            target: broker
            at_s: 60
            restart_after_s: 1
        """)
    run = run_streamproof([w, "--faults", f], cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_VALID, run.explain()
    assert [r for r in _faults(run) if r.get("action") == "inject"] == []
    assert run.summary["faults"] == 0 and run.summary.get("fault_windows", []) == []
    reports = [l for l in run.stdout.splitlines() if l.startswith("report: ")]
    assert reports == [f"report: {run.dir}/index.html"], reports
    assert (run.dir / "index.html").is_file()
