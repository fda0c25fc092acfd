"""Consumer delivery modes under consumer crashes (issue 4): consumers are
SIGKILLed and restarted during the run. at_most_once loses and never
repeats, at_least_once repeats and never loses, exactly_once does neither;
each is judged valid against its own promise. A consumer that commits
before processing while claiming exactly-once is caught."""
from test_run_support import (EXIT_INVALID, EXIT_VALID, acked_offsets, apply_counts,
                              faults_file, run_streamproof, workload)

KILLS = """
faults:
  - id: consumer-crash
    kind: kill
    target: consumers
    at_s: 2
    restart_after_s: 0.5
    every: {min_s: 2.5, max_s: 3}
    until_s: 11
"""

# Short sessions so a killed member leaves the group in 2 s, not 45 s.
FAST_GROUPS = ["-X", "session.timeout.ms=2000", "-X", "heartbeat.interval.ms=500"]


def _run(tmp_path, semantics, env=None, faults=KILLS):
    # 1000 msg/s over 4 partitions and 2 consumers that each spend 1.2 ms
    # per message: they are busy most of the time, so a kill usually lands
    # in the middle of a batch (between commit and processing, or between
    # processing and commit).
    w = workload(tmp_path, name=f"kill-{semantics}", partitionsPerTopic=4, consumerPerSubscription=2,
                 producerRate=1000, warmup_s=1, duration_s=12, drain_timeout_s=60,
                 semantics=semantics, consumer={"processing_us": 1200})
    return run_streamproof([w, "--faults", faults_file(tmp_path, faults)] + FAST_GROUPS,
                           cwd=tmp_path, out_dir=tmp_path / "r", env=env, timeout_s=240)


def _killed_incarnations(run):
    return sum(r["exit"] == "killed" for c in run.meta["consumers"] for r in c["readers"])


def _verdict(run):
    return run.json("verdict.json")


def test_at_most_once_loses_never_repeats(tmp_path):
    run = _run(tmp_path, "at_most_once")
    assert run.code == EXIT_VALID, run.explain()
    assert _killed_incarnations(run) >= 3
    acked, applied = acked_offsets(run), apply_counts(run)
    lost = acked - set(applied)
    assert lost, "no message lost: the kills never hit between commit and processing"
    assert max(applied.values()) == 1, "at-most-once applied a message twice"
    assert run.meta["drain"]["completed"] is True
    assert "lost-write" in run.stdout or "unseen" in run.stdout


def test_at_least_once_repeats_never_loses(tmp_path):
    run = _run(tmp_path, "at_least_once")
    assert run.code == EXIT_VALID, run.explain()
    assert _killed_incarnations(run) >= 3
    acked, applied = acked_offsets(run), apply_counts(run)
    assert acked <= set(applied), f"{len(acked - set(applied))} acked messages never applied"
    assert max(applied.values()) >= 2, "no redelivery: the kills never hit before a commit"
    assert "redelivered" in run.stdout


def test_exactly_once_neither(tmp_path):
    run = _run(tmp_path, "exactly_once")
    assert run.code == EXIT_VALID, run.explain()
    assert _killed_incarnations(run) >= 3
    acked, applied = acked_offsets(run), apply_counts(run)
    assert set(applied) == acked
    assert set(applied.values()) == {1}
    # the effects live in the per-partition stores, the consumers' own
    # histories hold no APPLY
    assert len(run.histories("effects-")) == 4
    assert all(r["type"] != 19 for recs in run.histories("consumer-").values() for r in recs)


def test_lying_consumer_caught(tmp_path):
    """Commits before processing (at-most-once behaviour) but says
    exactly-once: its losses are forbidden, the verdict is invalid."""
    run = _run(tmp_path, "exactly_once", env={"SP_TEST_CONSUMER_BUG": "commit_before_process"})
    assert run.code == EXIT_INVALID, run.explain()
    v = _verdict(run)
    assert v["verdict"] == "invalid"
    assert "FORBIDDEN" in run.stdout
    assert acked_offsets(run) - set(apply_counts(run))


PAUSE_CONSUMER = """
faults:
  - id: zombie
    kind: pause
    target: consumer:0
    at_s: 3
    duration_s: 4
"""


def test_paused_zombie_cannot_double_apply(tmp_path):
    """consumer:0 is frozen (SIGSTOP) for 4 s with a 2 s session: the group
    gives its partitions to consumer:1, which must wait for the effect
    store until the zombie wakes up and lets go (under at_least_once the
    same pause makes the zombie apply messages the new owner applies too).
    Nothing applied twice."""
    run = _run(tmp_path, "exactly_once", faults=PAUSE_CONSUMER)
    assert run.code == EXIT_VALID, run.explain()
    applied = apply_counts(run)
    assert set(applied) == acked_offsets(run) and set(applied.values()) == {1}
    log = (run.dir / "logs" / "consumer-1.log").read_text()
    assert "effect store busy" in log, "the zombie case did not happen"
    assert "effect store acquired" in log
