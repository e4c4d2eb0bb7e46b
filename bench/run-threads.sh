#!/usr/bin/env bash
# One thread against two, side by side: the seeds' CNN and the wide MLP train steps of the compiled class with
# Model.setThreads(1), (2) splitting each kernel and (2, ThreadSplit.BATCH) splitting the batch, plain Java and Vector
# API kernels, and PyTorch's on one and two threads (OpenMP and
# OpenBLAS threads), interleaved in rounds (fresh JVM forks and a fresh PyTorch process each round), nothing
# pinned (two threads need both cores); prints the medians over the rounds with the ratios and the target of
# docs/benchmarks.md (two threads at least 1.7 times one). Results are kept in bench/target/threads/.
#
#   bench/run-threads.sh               3 rounds (JMH: 1 fork, 12 warm-up and 5 measured 1 s iterations)
#   bench/run-threads.sh --rounds 5    more rounds
#   bench/run-threads.sh --quick       1 round of very short iterations, to try the script (figures mean nothing)
#   bench/run-threads.sh --no-build    reuse bench/target/benchmarks.jar
#   bench/run-threads.sh --report      print the table again from the last run's results
#
# Environment: JAVA (default java), PYTHON (default /usr/bin/python3, Debian's python3-torch).
# Two threads only gain on an idle machine: the table's header carries the load average before and after.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=3
BUILD=1
REPORT_ONLY=
JMH="-f 1 -wi 12 -w 1s -i 5 -r 1s"
TORCH_SECONDS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    --quick) ROUNDS=1; JMH="-f 1 -wi 1 -w 200ms -i 1 -r 300ms"; TORCH_SECONDS=0.3 ;;
    --no-build) BUILD= ;;
    --report) REPORT_ONLY=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run-threads.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

JAVA=${JAVA:-java}
PYTHON=${PYTHON:-/usr/bin/python3}
OUT=bench/target/threads
JAR=bench/target/benchmarks.jar

if [ -n "$REPORT_ONLY" ]; then
  exec "$PYTHON" bench/report-all.py --threads "$OUT"
fi
if [ -n "$BUILD" ]; then
  mvn -B -q -pl bench -am -DskipTests package
fi
rm -rf "$OUT"
mkdir -p "$OUT"

# shellcheck source=bench/torch-peer.sh
. bench/torch-peer.sh
find_torch run-threads.sh

jmh() { # json file, extra JVM flags; one thread, then two splitting the kernels, then two splitting the batch
  local split
  for split in "threads=1,2 -p split=kernels" "threads=2 -p split=batch"; do
    # shellcheck disable=SC2086
    "$JAVA" -jar "$JAR" 'TrainStepBenchmark\.compiledTrainStep' -p model=cnn,widemlp -p $split $JMH \
      -jvmArgsAppend "-Dmodelc.kernels=auto -Dmodelc.poolRent=0 -Dmodelc.transposeRent=0 $2" -rf json -rff "$1.part" >> "$OUT/jmh.log" 2>&1 || {
        echo "run-threads.sh: JMH failed, see $OUT/jmh.log" >&2
        exit 1
      }
    if [ -f "$1" ]; then
      "$PYTHON" -c 'import json, sys; a = json.load(open(sys.argv[1])); a += json.load(open(sys.argv[2])); json.dump(a, open(sys.argv[1], "w"))' "$1" "$1.part"
      rm "$1.part"
    else
      mv "$1.part" "$1"
    fi
  done
}

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu: $(lscpu 2> /dev/null | sed -n 's/^Model name: *//p' | head -1)"
  echo "cores: $(nproc)"
  echo "pinned: no"
  echo "jdk: $("$JAVA" -version 2>&1 | head -1)"
  echo "jmh: $JMH"
  echo "rounds: $ROUNDS"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/meta.txt"
[ -n "$HAS_TORCH" ] && torch_peer 2 -- info > "$OUT/torch-info.json"

for r in $(seq 1 "$ROUNDS"); do
  echo "round $r of $ROUNDS ($(date -u +%H:%M:%S), load $(cut -d' ' -f1 /proc/loadavg))" >&2
  echo "round $r load: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/meta.txt"
  jmh "$OUT/r$r-java.json" ""
  if [ -n "$HAS_TORCH" ]; then
    torch_peer 1 -- steps --seconds "$TORCH_SECONDS" > "$OUT/r$r-torch1-steps.json"
    torch_peer 2 -- steps --seconds "$TORCH_SECONDS" > "$OUT/r$r-torch2-steps.json"
  fi
  jmh "$OUT/r$r-vector.json" "--add-modules jdk.incubator.vector"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/meta.txt"

"$PYTHON" bench/report-all.py --threads "$OUT" | tee "$OUT/table.txt"
