"""Fault kinds through `streamproof run` that the other e2e files leave out
(issue 5: each kind shown to happen and to have its effect): a network
partition of the link (blackhole) stops traffic and it resumes after the
heal, with nothing lost; a frozen consumer stalls its partitions while the
producers carry on, and its backlog drains after it wakes. Effects are
counts and the order of events, never speeds."""
import json

from test_run_support import (APPLY, EXIT_VALID, acked_offsets, apply_counts, faults_file,
                              run_streamproof, workload)


def _faults(run):
    return [json.loads(line) for line in (run.dir / "faults.jsonl").read_text().splitlines()]


def _seconds_inside(rec_in, rec_out):
    """Timeline seconds that lie wholly inside [inject, heal]."""
    return [k for k in range(int(rec_in["t_s"]) + 1, int(rec_out["t_s"])) if k + 1 <= rec_out["t_s"]]


def test_blackhole_stops_traffic_and_it_resumes_after_heal(tmp_path):
    w = workload(tmp_path, name="hole", producerRate=500, warmup_s=1, duration_s=8,
                 producer={"acks": "all"})
    f = faults_file(tmp_path, """
        faults:
          - id: partition
            kind: net
            target: link
            toxic: blackhole
            direction: both
            at_s: 3
            duration_s: 2.5
        """)
    run = run_streamproof([w, "--faults", f], cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_VALID, run.explain()
    assert run.summary["broker"]["proxy"] is True
    inj, heal = _faults(run)
    assert (inj["action"], inj["result"], heal["action"], heal["result"]) == ("inject", "ok", "heal", "ok")
    assert "blackhole both" in inj["detail"]
    rows = {int(r["t_s"]): r for r in run.timeline()}
    inside = _seconds_inside(inj, heal)
    assert inside, (inj["t_s"], heal["t_s"])
    for k in inside:  # nothing crosses the link: no ack, no consume
        assert int(rows[k]["acked"]) == 0 and int(rows[k]["consumed"]) == 0, rows[k]
        assert int(rows[k]["sent"]) > 0  # the producers kept handing messages to their client
    after = [k for k in rows if k >= heal["t_s"] + 1 and rows[k]["phase"] == "measure"]
    assert after and all(int(rows[k]["acked"]) > 0 and int(rows[k]["consumed"]) > 0 for k in after), after
    # held, not lost: every acked message was consumed, nothing failed
    s = run.summary
    assert s["counts"]["acked"] == s["counts"]["intended"] and s["counts"]["nacked"] == 0
    assert acked_offsets(run) <= set(apply_counts(run))
    win = s["fault_windows"][0]
    assert win["unavailability"]["ack_gap_s"] >= 2.0
    assert win["throughput"]["during"]["acked_per_s"] == 0
    assert win["throughput"]["after"]["acked_per_s"] > win["throughput"]["before"]["acked_per_s"]  # catch-up
    assert win["latency"]["publish"]["max_ms"] >= 2000


def test_frozen_consumer_stalls_its_partitions_then_catches_up(tmp_path):
    """consumer:0 of a two-consumer group is stopped for 3 s (less than the
    6 s session timeout, so its partitions stay with it): its partitions are
    not consumed, the other consumer's are, the producers are not held up;
    after SIGCONT it consumes the backlog and nothing is lost."""
    w = workload(tmp_path, name="cfreeze", partitionsPerTopic=4, consumerPerSubscription=2,
                 producerRate=400, warmup_s=1, duration_s=9)
    f = faults_file(tmp_path, """
        faults:
          - id: consumer-freeze
            kind: pause
            target: consumer:0
            at_s: 3
            duration_s: 3
        """)
    run = run_streamproof([w, "--faults", f], cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_VALID, run.explain()
    inj, heal = _faults(run)
    meta = run.meta
    c0 = meta["consumers"][0]["readers"]
    assert [r["exit"] for r in c0] == ["clean"]  # paused, never restarted
    reader0 = c0[0]["reader"]
    t0 = inj["mono_ns"] - round(inj["t_s"] * 1e9)
    applies = [r for r in run.history("consumer-0.hist") if r["type"] == APPLY]
    frozen = [r for r in applies if inj["t_s"] + 0.05 < (r["t_ns"] - t0) / 1e9 < heal["t_s"] - 0.05]
    assert not frozen, f"{len(frozen)} messages applied by a stopped consumer"
    mine = {(r["topic"], r["partition"]) for r in applies if r["actor"] == reader0}
    others = [r for r in run.history("consumer-1.hist") if r["type"] == APPLY
              and inj["t_s"] < (r["t_ns"] - t0) / 1e9 < heal["t_s"]]
    assert mine and others  # consumer 1 kept consuming its own partitions meanwhile
    assert not {(r["topic"], r["partition"]) for r in others} & mine  # no rebalance: they stayed put
    late = [r for r in applies if (r["t_ns"] - t0) / 1e9 > heal["t_s"]
            and (r["t_intended_ns"] - t0) / 1e9 < inj["t_s"] + 1]
    assert late, "the frozen consumer's backlog was not consumed after it woke"
    win = run.summary["fault_windows"][0]
    assert win["unavailability"]["ack_gap_s"] < 1.0  # producers unaffected
    c = win["consumer"]
    assert c["lag_max_ms"] >= 2500 and c["backlog_max"] > c["backlog_before"] and c["recovered"] is True
    assert acked_offsets(run) <= set(apply_counts(run))
