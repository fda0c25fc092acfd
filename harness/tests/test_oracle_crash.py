"""The stream oracle after crash loops: refstream killed (SIGKILL at random
instants, and aborted at fault points when built with libfiu) many times
while its input keeps arriving, then run to the end. Its output, copied
with sp-dump, must equal the oracle's recomputation from the input: every
input offset counted exactly once, every result as the README prescribes.
In processing time the results depend on the clock: the oracle applies the
marks refstream wrote (and read back after each crash) and must still
agree exactly.
"""
import random
import subprocess
import time

import pytest

from conftest import SLOWDOWN
from test_oracle_e2e import JOBS, assert_agrees, job_text, job_topics, results_folder
from test_refstream_crash import CHUNK, Feeder
from test_refstream_e2e import (Refstream, create_topic, fiu_env, require_fiu, run_to_end,
                                write_job)

KINDS = ["tumbling", "hopping", "sliding", "session", "count-hopping", "reorder-pattern",
         "join-left", "enrich"]


def kill_loop(tmp_path, bs, job, kills, rng, args=("--checkpoint-interval-ms", "150")):
    """Starts refstream and SIGKILLs it `kills` times at random instants."""
    for n in range(kills):
        p = Refstream(job, bs, tmp_path / "state", tmp_path / f"kill{n}.log", args=args, wait=False)
        time.sleep(rng.uniform(0.1, 0.7) * SLOWDOWN)
        p.kill9()


def restarts_read_back(tmp_path):
    """Results the restarts found written after their checkpoint."""
    import re
    total = 0
    for f in tmp_path.glob("*.log"):
        total += sum(int(n) for n in re.findall(r"; (\d+) result\(s\) and \d+ marks record", f.read_text()))
    return total


@pytest.mark.parametrize("kind", KINDS)
def test_oracle_agrees_after_sigkill_loop(broker, tmp_path, kind):
    bs = broker.bootstrap
    two = JOBS[kind][2] is not None
    create_topic(bs, "in", 2)
    if two:
        create_topic(bs, "other", 2)
    text = job_text(kind)
    job = write_job(tmp_path / "job.yaml", text)
    rng = random.Random(sorted(KINDS).index(kind) + 11)
    feeder = Feeder(bs, two, 6 * CHUNK, pause_s=0.2 * SLOWDOWN)
    feeder.start()
    kill_loop(tmp_path, bs, job, kills=6, rng=rng)
    feeder.join(timeout=300)
    assert feeder.error is None, feeder.error
    run_to_end(job, bs, tmp_path / "state", tmp_path / "final.log")
    run = results_folder(tmp_path, "run", text, bs, job_topics(kind))
    verdict = assert_agrees(run, f"{kind} after 6 SIGKILLs", min_results=20)
    assert verdict["stream"]["totals"]["input_records"] >= 6 * CHUNK


@pytest.mark.needs_fiu
@pytest.mark.parametrize("kind", ["tumbling", "join-left"])
def test_oracle_agrees_after_aborts_between_write_and_checkpoint(broker, tmp_path, kind):
    """The dangerous moment: results written and acknowledged, checkpoint
    not taken; the restart must regenerate them and skip every one."""
    require_fiu()
    bs = broker.bootstrap
    two = JOBS[kind][2] is not None
    create_topic(bs, "in", 2)
    if two:
        create_topic(bs, "other", 2)
    text = job_text(kind)
    job = write_job(tmp_path / "job.yaml", text)
    feeder = Feeder(bs, two, 6 * CHUNK, pause_s=0.2 * SLOWDOWN)
    feeder.start()
    # a first start writes its initial checkpoint (where the point would fire
    # with nothing written yet); the aborts then hit the first interval
    # checkpoint of each restart, with a second of results behind it
    kill_loop(tmp_path, bs, job, kills=1, rng=random.Random(3))
    for n in range(4):
        p = Refstream(job, bs, tmp_path / "state", tmp_path / f"abort{n}.log",
                      args=["--checkpoint-interval-ms", "1000"], env=fiu_env(tmp_path), wait=False,
                      wrapper=["fiu-run", "-f", str(tmp_path / "fiu"), "-c",
                               "enable name=refstream/sink/after-write-before-checkpoint,failnum=3"])
        try:
            p.wait(8)
        except subprocess.TimeoutExpired:
            p.kill9()
    feeder.join(timeout=300)
    assert feeder.error is None, feeder.error
    run_to_end(job, bs, tmp_path / "state", tmp_path / "final.log")
    assert restarts_read_back(tmp_path) > 0, "no restart had results to skip"
    run = results_folder(tmp_path, "run", text, bs, job_topics(kind))
    assert_agrees(run, f"{kind} after aborts", min_results=20)


def test_oracle_agrees_with_processing_time_after_sigkills(broker, tmp_path):
    bs = broker.bootstrap
    create_topic(bs, "in", 2)
    text = """name: proc-crash
time: {mode: processing, processing_tick_ms: 20}
sources:
  - {name: in, topic: in, format: json}
pipeline:
  - window: {type: tumbling, size_ms: 100, aggregate: [count, sum]}
sinks: {output: out}
"""
    job = write_job(tmp_path / "job.yaml", text)
    feeder = Feeder(bs, False, 6 * CHUNK, pause_s=0.2 * SLOWDOWN)
    feeder.start()
    kill_loop(tmp_path, bs, job, kills=6, rng=random.Random(5))
    feeder.join(timeout=300)
    assert feeder.error is None, feeder.error
    p = Refstream(job, bs, tmp_path / "state", tmp_path / "final.log",
                  args=["--checkpoint-interval-ms", "150"])
    time.sleep(2 * SLOWDOWN)  # the clock moves past the last window: proc marks fire it
    assert p.stop() == 0
    run = results_folder(tmp_path, "run", text, bs, ["in", "out"])
    verdict = assert_agrees(run, "processing time after SIGKILLs", min_results=20)
    s = verdict["stream"]
    assert s["totals"]["marks_applied"] > 0
    assert s["totals"]["pending"] == 0
    # the ledger: every input offset is in exactly one fired window
    assert all(t["ledger_checked"] for t in s["tasks"])
