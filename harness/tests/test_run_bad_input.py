"""`streamproof run` with input it cannot use: every case ends quickly with
a message saying what and where, a documented exit code, and no process
left running."""
import subprocess
import time

from conftest import SLOWDOWN, binary, free_port
from test_run_support import EXIT_FAILED, EXIT_USAGE, faults_file, run_streamproof, workload


def test_unreachable_bootstrap(tmp_path):
    port = free_port()  # nothing listens there
    w = workload(tmp_path)
    start = time.monotonic()
    run = run_streamproof([w, "--bootstrap", f"127.0.0.1:{port}"], cwd=tmp_path, out_dir=tmp_path / "r")
    elapsed = time.monotonic() - start
    assert run.code == EXIT_FAILED, run.explain()
    assert f"cannot reach the broker at 127.0.0.1:{port}" in run.stderr
    assert elapsed < 20 * SLOWDOWN, f"took {elapsed:.1f} s to give up"
    assert "Traceback" not in run.stderr and "assertion" not in run.stderr


def test_invalid_workload_names_file_line_key(tmp_path):
    w = tmp_path / "bad.yaml"
    w.write_text("name: bad\ntopics: 1\npartitionsPerTopc: 4\n")
    run = run_streamproof([w], cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_USAGE, run.explain()
    assert "bad.yaml:3:" in run.stderr and "partitionsPerTopc" in run.stderr
    assert not (tmp_path / "r").exists()  # nothing written for a run that never started


def test_missing_workload_file(tmp_path):
    run = run_streamproof([tmp_path / "nope.yaml"], cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_USAGE and "nope.yaml" in run.stderr, run.explain()


def test_bad_set_override(tmp_path):
    run = run_streamproof([workload(tmp_path), "--set", "duration_s=-3"], cwd=tmp_path,
                          out_dir=tmp_path / "r")
    assert run.code == EXIT_USAGE and "duration_s" in run.stderr, run.explain()


def test_invalid_fault_schedule(tmp_path):
    f = faults_file(tmp_path, """
        faults:
          - id: x
            kind: explode
            target: broker
            at_s: 1
        """)
    run = run_streamproof([workload(tmp_path), "--faults", f], cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_USAGE, run.explain()
    assert "faults.yaml:" in run.stderr and "kind" in run.stderr


def test_fault_target_that_does_not_exist(tmp_path):
    f = faults_file(tmp_path, """
        faults:
          - id: x
            kind: kill
            target: producer:5
            at_s: 1
            restart_after_s: 1
        """)
    run = run_streamproof([workload(tmp_path), "--faults", f], cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_USAGE and "producer:5" in run.stderr, run.explain()


def test_broker_faults_need_the_embedded_broker(tmp_path):
    f = faults_file(tmp_path, """
        faults:
          - id: x
            kind: pause
            target: broker
            at_s: 1
            duration_s: 1
        """)
    run = run_streamproof([workload(tmp_path), "--faults", f, "--bootstrap", "127.0.0.1:9"],
                          cwd=tmp_path, out_dir=tmp_path / "r")
    assert run.code == EXIT_USAGE and "embedded refbroker" in run.stderr, run.explain()


def test_out_folder_not_empty(tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    (out / "old-run.txt").write_text("keep me")
    run = run_streamproof([workload(tmp_path)], cwd=tmp_path, out_dir=out)
    assert run.code == EXIT_USAGE and "not an empty folder" in run.stderr, run.explain()
    assert (out / "old-run.txt").read_text() == "keep me"


def test_broker_that_cannot_start(tmp_path):
    run = run_streamproof([workload(tmp_path), "--refbroker", "/bin/false"], cwd=tmp_path,
                          out_dir=tmp_path / "r")
    assert run.code == EXIT_FAILED, run.explain()
    assert "refbroker did not start listening" in run.stderr and "broker.log" in run.stderr


def test_bad_librdkafka_property(tmp_path):
    run = run_streamproof([workload(tmp_path), "-X", "no.such.property=1"], cwd=tmp_path,
                          out_dir=tmp_path / "r")
    assert run.code == EXIT_FAILED, run.explain()
    assert "no.such.property" in run.stderr


def test_usage_errors():
    for args, says in ((["run"], "no workload"), (["run", "w.yaml", "--bogus"], "--bogus")):
        p = subprocess.run([binary("streamproof")] + args, capture_output=True, text=True)
        assert p.returncode == EXIT_USAGE and says in p.stderr, (args, p.stderr)
