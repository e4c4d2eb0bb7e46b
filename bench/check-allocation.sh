#!/usr/bin/env bash
# Checks that a steady train step and predict allocate nothing with the Vector API kernels, for the models of the
# harness run one after another in one JVM (where one model's Vector API code can change how C2 compiles another's:
# docs/benchmarks.md, N): AllocationRun --fail-on-allocation, on the default java and, when installed, on JDK 25
# (where the f32 erf and exp run in lanes). A JVM that fails is run once more and the check fails only if that one
# fails too, so a window disturbed by the host (a deoptimization without a compilation) does not fail it. A second
# JVM checks the MLP and the CNN on one sample (--batch 1), whose predict multiplies by kept weight transposes.
# Exits 1 when a model allocates in a JIT-quiet window in both runs.
#
#   bench/check-allocation.sh             build the benchmark jar first
#   bench/check-allocation.sh --no-build  reuse bench/target/benchmarks.jar
#
# Environment: JAVA (default java), JAVA25 (default /usr/lib/jvm/temurin-25-jdk-amd64/bin/java; skipped if absent),
# CPU (the core to pin to, default 1).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) BUILD= ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "check-allocation.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

JAR=bench/target/benchmarks.jar
# logreg runs before the CNN: after the CNN, JDK 17 boxes in its loss loop (the limitation of benchmarks.md, N)
MODELS=(logreg mlp cnn gelumlp leakycnn bncnn bigtransformer)
WARMUP=3
CPU=${CPU:-1}
PIN=()
if command -v taskset > /dev/null && taskset -c "$CPU" true 2> /dev/null; then
  PIN=(taskset -c "$CPU")
fi
if [ -n "$BUILD" ]; then
  mvn -B -q -pl bench -am package -DskipTests
fi

JAVAS=("${JAVA:-java}")
JAVA25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
if [ -x "$JAVA25" ]; then
  JAVAS+=("$JAVA25")
fi

check() { # java
  "${PIN[@]}" "$1" --add-modules jdk.incubator.vector -Dmodelc.poolRent=0 -Dmodelc.transposeRent=0 -cp "$JAR" \
    dev.modelc.bench.train.AllocationRun --fail-on-allocation "$WARMUP" "${MODELS[@]}" 2> >(grep -v '^WARNING' >&2) &&
  # one sample at a time, as a service predicts: its own path through the kept weight transposes
  "${PIN[@]}" "$1" --add-modules jdk.incubator.vector -Dmodelc.poolRent=0 -Dmodelc.transposeRent=0 -cp "$JAR" \
    dev.modelc.bench.train.AllocationRun --fail-on-allocation --batch 1 "$WARMUP" mlp cnn 2> >(grep -v '^WARNING' >&2)
}

status=0
for java in "${JAVAS[@]}"; do
  echo "== $("$java" -version 2>&1 | head -1)"
  if ! check "$java"; then
    echo "check-allocation.sh: allocation found; running the same JVM once more" >&2
    if ! check "$java"; then
      status=1
    fi
  fi
done
exit $status
