#!/usr/bin/env bash
# One training step of each sample model, side by side in one run: the compiled class and the reference interpreter
# (JMH, bench/target/benchmarks.jar) and PyTorch eager (Debian's python3-torch, one thread). Prints microseconds per
# step and the ratios. Run from anywhere; needs /usr/bin/python3 with torch for the PyTorch column.
#
#   bench/run-train.sh                                   short run (1 fork, 2 warm-up and 3 measured 1 s iterations)
#   JMH_OPTS="-f 1 -wi 3 -i 5" bench/run-train.sh         longer run
#   JAVA_OPTS="--add-modules jdk.incubator.vector" bench/run-train.sh   Vector API kernels in the forks
set -euo pipefail
cd "$(dirname "$0")/.."
JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 2 -i 3 -w 1s -r 1s"}
OUT=bench/target/train
mkdir -p "$OUT"
if [ -z "${SKIP_BUILD:-}" ]; then
  mvn -B -q -pl bench -am -DskipTests package
fi
# shellcheck disable=SC2086
java -jar bench/target/benchmarks.jar 'TrainStepBenchmark' $JMH_OPTS -jvmArgsAppend "${JAVA_OPTS:-}" \
  -rf json -rff "$OUT/jmh.json" > "$OUT/jmh.log"
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  /usr/bin/python3 bench/peers/torch_train_step.py 3 > "$OUT/torch.txt"
else
  echo "python3-torch is not installed (apt-get install python3-torch libopenblas0-pthread): no PyTorch column" >&2
  : > "$OUT/torch.txt"
fi
/usr/bin/python3 - "$OUT/jmh.json" "$OUT/torch.txt" <<'PY'
import json, sys
jmh = json.load(open(sys.argv[1]))
torch = dict(l.split() for l in open(sys.argv[2]) if l.strip())
rows = {}
for r in jmh:
    model = r["params"]["model"]
    kind = r["benchmark"].rsplit(".", 1)[1]
    rows.setdefault(model, {})[kind] = r["primaryMetric"]["score"]
print(f"{'model':8} {'compiled us':>12} {'reference us':>13} {'pytorch us':>11} {'ref/compiled':>13} {'torch/compiled':>15}")
for model, v in rows.items():
    c, ref = v.get("compiled"), v.get("reference")
    t = float(torch[model]) if model in torch else None
    print(f"{model:8} {c:12.1f} {ref:13.1f} {t if t else float('nan'):11.1f} {ref / c:13.2f} "
          f"{(t / c) if t else float('nan'):15.2f}")
PY
