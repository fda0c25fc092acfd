"""Workload modes the orchestrator drives: OMB's consumer backlog
(consumerBacklogSizeGB) and max-rate search (producerRate: 0)."""
from test_run_support import EXIT_VALID, run_streamproof, workload


def test_consumer_backlog_build_and_drain(tmp_path):
    """0.00005 GiB of 100-byte messages is ~537 messages: consumers pause
    after the warm-up until that backlog exists, then catch up; the
    measured phase starts once it is drained and lasts duration_s."""
    w = workload(tmp_path, name="backlog", producerRate=400, warmup_s=1, duration_s=3,
                 consumerBacklogSizeGB=0.00005)
    run = run_streamproof([w], cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_VALID, run.explain()
    s = run.summary
    b = s["consumerBacklog"]
    assert b["target_messages"] == 536
    assert b["built_at_s"] >= 1.0 + 536 / 400 * 0.9
    assert b["drained_at_s"] >= b["built_at_s"]
    assert s["run"]["warmup_effective_s"] >= b["built_at_s"]
    rows = run.timeline()
    assert max(int(r["backlog"]) for r in rows) >= 400  # it really built up
    assert [r["phase"] for r in rows].count("measure") in (3, 4)
    c = s["counts"]
    assert c["consumed"] == c["acked"] == c["sent"]


def test_max_rate_search_changes_rate_in_step(tmp_path):
    """producerRate: 0 starts OMB's rate search; every change reaches every
    producer at the same planned instant, so what was sent per second is
    what the (changing) schedule intended."""
    w = workload(tmp_path, name="search", producerRate=0, producersPerTopic=2, warmup_s=0,
                 duration_s=8, rate_search={"start_rate": 2000, "period_s": 2})
    run = run_streamproof([w], cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_VALID, run.explain()
    rows = run.timeline()
    intended = [int(r["intended"]) for r in rows if r["phase"] == "measure"]
    assert intended[0] == 2000 and max(intended) > 2000, intended
    c = run.summary["counts"]
    assert c["sent"] == c["intended"] and c["consumed"] == c["acked"]
    spec = (run.dir / "workers" / "producer-1.json").read_text()
    assert '"rates"' in spec
