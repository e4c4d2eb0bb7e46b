#!/usr/bin/env bash
# Models beyond the five of run-all.sh, beside PyTorch: the MLP with gelu and with tanh for relu, the seeds' CNN with
# leaky_relu, two 3x3 convolutions with batch norm, and a transformer block (bench/models/*.mdl; the transformer: 32
# tokens of width 128, 4 heads, MLP 512; batch 64 for all). Each
# round runs StepCpuTime (the train step's thread CPU time: median over 15 windows after a warm-up) with the plain
# Java and the Vector API kernels, then bench/peers/torch_bench.py extra (the same measure), all pinned to one core;
# prints the medians over the rounds and PyTorch / compiled. Results are kept in bench/target/extra/.
#
#   bench/run-extra.sh               3 rounds
#   bench/run-extra.sh --rounds 1    fewer rounds
#   bench/run-extra.sh --quick       1 round of short windows, to try the script (figures mean nothing)
#   bench/run-extra.sh --no-build    reuse bench/target/benchmarks.jar
#
# Environment: JAVA (default java), PYTHON (default /usr/bin/python3), CPU (the core to pin to, default 1).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=3
BUILD=1
WARMUP=6
WINDOWS=15
SECONDS_TORCH=3
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    --quick) ROUNDS=1; WARMUP=0.5; WINDOWS=3; SECONDS_TORCH=0.3 ;;
    --no-build) BUILD= ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "run-extra.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

JAVA=${JAVA:-java}
PYTHON=${PYTHON:-/usr/bin/python3}
CPU=${CPU:-1}
OUT=bench/target/extra
JAR=bench/target/benchmarks.jar
MODELS=(gelumlp tanhmlp leakycnn bncnn bigtransformer)
PIN=()
if command -v taskset > /dev/null && taskset -c "$CPU" true 2> /dev/null; then
  PIN=(taskset -c "$CPU")
else
  echo "run-extra.sh: taskset is missing or core $CPU is not usable; running unpinned" >&2
fi

if [ -n "$BUILD" ]; then
  mvn -B -q -pl bench -am -DskipTests package
fi
rm -rf "$OUT"
mkdir -p "$OUT"

# shellcheck source=bench/torch-peer.sh
. bench/torch-peer.sh
find_torch run-extra.sh

for r in $(seq 1 "$ROUNDS"); do
  echo "round $r of $ROUNDS ($(date -u +%H:%M:%S), load $(cut -d' ' -f1 /proc/loadavg))" >&2
  "${PIN[@]}" "$JAVA" -Dmodelc.kernels=java -cp "$JAR" dev.modelc.bench.train.StepCpuTime "$WARMUP" "$WINDOWS" \
    "${MODELS[@]}" 2> /dev/null > "$OUT/r$r-java.jsonl"
  "${PIN[@]}" "$JAVA" --add-modules jdk.incubator.vector -Dmodelc.poolRent=0 -Dmodelc.transposeRent=0 -cp "$JAR" \
    dev.modelc.bench.train.StepCpuTime "$WARMUP" "$WINDOWS" "${MODELS[@]}" 2> /dev/null > "$OUT/r$r-vector.jsonl"
  if [ -n "$HAS_TORCH" ]; then
    torch_peer 1 "${PIN[@]}" -- extra --seconds "$SECONDS_TORCH" > "$OUT/r$r-torch.json"
  fi
done

"$PYTHON" - "$OUT" "$ROUNDS" <<'PY' | tee "$OUT/table.txt"
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def jvm(kind):
    runs = {}
    for r in range(1, rounds + 1):
        for line in open(f"{out}/r{r}-{kind}.jsonl"):
            if line.startswith("{"):
                row = json.loads(line)
                runs.setdefault(row["model"], []).append(row["median_us"])
    return {m: statistics.median(v) for m, v in runs.items()}
plain, vector = jvm("java"), jvm("vector")
torch = {}
for r in range(1, rounds + 1):
    try:
        for m, v in json.load(open(f"{out}/r{r}-torch.json")).items():
            torch.setdefault(m, []).append(v["train_us"])
    except FileNotFoundError:
        pass
torch = {m: statistics.median(v) for m, v in torch.items()}
print("Train step, µs of thread CPU time (median of the rounds; pinned to one core; batch 64):\n")
print("| model | compiled plain | compiled Vector API | PyTorch | PyTorch / compiled (plain / vector) |")
print("|---|---|---|---|---|")
for m in ("gelumlp", "tanhmlp", "leakycnn", "bncnn", "bigtransformer"):
    t = torch.get(m)
    ratio = f"{t / plain[m]:.2f}x / {t / vector[m]:.2f}x" if t else "-"
    print(f"| {m} | {plain[m]:,.0f} | {vector[m]:,.0f} | {f'{t:,.0f}' if t else '-'} | {ratio} |")
PY
