#!/usr/bin/env bash
# bench_broker.sh RESULTS_DIR [RUNS]
#
# refbroker produce and consume throughput with a librdkafka client
# (bench_client), for 100-byte and 1 KiB messages under --fsync never and
# --fsync always, RUNS runs each (default 3). Each run starts a fresh
# Release refbroker with a topic of 2 partitions and measures three phases:
#   produce     one librdkafka producer, COUNT messages (acks=all)
#   consume     one librdkafka consumer reads them all from the beginning
#   consume_x2  two consumers in parallel, one partition each; the
#               aggregate is (messages of both) / (the slower one's time)
# A single librdkafka consumer is the bound on this machine (see
# reference/broker/README.md), so consume_x2 shows what the broker serves.
# Client settings are in bench_client.c; BENCH_CONF adds more (librdkafka
# key=value,...). Writes
#   RESULTS_DIR/broker_throughput.csv   one row per run and phase
#   RESULTS_DIR/broker_throughput.json  medians per configuration + machine
# and prints the medians. A benchmark, not a test: it asserts nothing.
#
# Build first (Release, no fault points):
#   cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DFIU_ENABLE=OFF
#   cmake --build build-rel -j2
# SP_BIN_DIR overrides where refbroker and bench_client are (default build-rel/bin).
set -euo pipefail
results=${1:?usage: bench_broker.sh RESULTS_DIR [RUNS]}
runs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
bin=${SP_BIN_DIR:-$repo/build-rel/bin}
for exe in refbroker bench_client; do
  [ -x "$bin/$exe" ] || { echo "bench_broker.sh: $bin/$exe not built (see the header of $0)" >&2; exit 2; }
done
mkdir -p "$results"
results=$(cd "$results" && pwd)
csv=$results/broker_throughput.csv
echo "fsync,size_bytes,run,mode,msgs,bytes,seconds,msgs_per_s,mb_per_s" > "$csv"
partitions=2
broker_pid=
cleanup() { [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

for fsync in never always; do
  for size in 100 1024; do
    count=$(( size == 100 ? 2000000 : 500000 ))
    for run in $(seq 1 "$runs"); do
      data=$(mktemp -d "$results/data.XXXXXX")
      log=$results/refbroker-$fsync-$size-$run.log
      "$bin/refbroker" --listen 127.0.0.1:0 --data-dir "$data" --fsync "$fsync" \
        --default-partitions "$partitions" > "$log" 2>&1 &
      broker_pid=$!
      for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.05; done
      port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$log" | head -1 | cut -d: -f2)
      [ -n "$port" ] || { echo "refbroker did not start, see $log" >&2; exit 1; }
      for mode in produce consume consume_x2; do
        case $mode in
          produce) out=$("$bin/bench_client" produce "127.0.0.1:$port" bench "$count" "$size" "$partitions") ;;
          consume) out=$("$bin/bench_client" consume "127.0.0.1:$port" bench "$count" "$partitions") ;;
          consume_x2)
            "$bin/bench_client" consume "127.0.0.1:$port" bench $((count / 2)) 1 0 > "$results/.c0" &
            c0=$!
            "$bin/bench_client" consume "127.0.0.1:$port" bench $((count / 2)) 1 1 > "$results/.c1"
            wait "$c0"
            out=$(/usr/bin/python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
msgs, nbytes, secs = a["msgs"] + b["msgs"], a["bytes"] + b["bytes"], max(a["seconds"], b["seconds"])
print(json.dumps({"mode": "consume_x2", "msgs": msgs, "bytes": nbytes, "seconds": secs,
                  "msgs_per_s": round(msgs / secs), "mb_per_s": round(nbytes / secs / 1e6, 2)}))' \
              "$results/.c0" "$results/.c1")
            rm -f "$results/.c0" "$results/.c1" ;;
        esac
        /usr/bin/python3 -c '
import json, sys
r = json.loads(sys.argv[1])
print(",".join(str(x) for x in [sys.argv[2], sys.argv[3], sys.argv[4], r["mode"], r["msgs"], r["bytes"],
                                  r["seconds"], r["msgs_per_s"], r["mb_per_s"]]))' \
          "$out" "$fsync" "$size" "$run" >> "$csv"
      done
      kill "$broker_pid"; wait "$broker_pid" || true; broker_pid=
      rm -rf "$data"
    done
  done
done

/usr/bin/python3 - "$csv" "$results/broker_throughput.json" <<'PY'
import csv, json, os, platform, statistics, subprocess, sys
rows = list(csv.DictReader(open(sys.argv[1])))
summary = []
for fsync in ("never", "always"):
    for size in ("100", "1024"):
        for mode in ("produce", "consume", "consume_x2"):
            sel = [r for r in rows if (r["fsync"], r["size_bytes"], r["mode"]) == (fsync, size, mode)]
            if not sel:
                continue
            msgs = [float(r["msgs_per_s"]) for r in sel]
            mbs = [float(r["mb_per_s"]) for r in sel]
            summary.append({"fsync": fsync, "size_bytes": int(size), "mode": mode, "runs": len(sel),
                            "msgs_per_s_median": statistics.median(msgs), "msgs_per_s_min": min(msgs),
                            "msgs_per_s_max": max(msgs), "mb_per_s_median": statistics.median(mbs)})
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
machine = {"cpus": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
           "load_avg": os.getloadavg()}
json.dump({"machine": machine, "results": summary}, open(sys.argv[2], "w"), indent=2)
print(f"machine: {os.cpu_count()} x {cpu}, load average {os.getloadavg()[0]:.2f}")
print(f"{'fsync':7} {'size':>5} {'mode':10} {'msgs/s (median)':>16} {'MB/s':>8} {'min..max msgs/s':>22}")
for s in summary:
    print(f"{s['fsync']:7} {s['size_bytes']:>5} {s['mode']:10} {s['msgs_per_s_median']:>16,.0f} "
          f"{s['mb_per_s_median']:>8.1f} {s['msgs_per_s_min']:>10,.0f}..{s['msgs_per_s_max']:<10,.0f}")
PY
