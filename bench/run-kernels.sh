#!/usr/bin/env bash
# Builds bench/target/benchmarks.jar and runs the kernel benchmarks (dev.modelc.bench.kernels) twice: in a JVM
# without jdk.incubator.vector (plain-Java kernels) and in one started with --add-modules jdk.incubator.vector
# (Vector API kernels). Prints GFLOP/s per benchmark; the JMH JSON results are kept in bench/target/kernels/.
#
#   bench/run-kernels.sh                      short run (1 fork, 2 warm-up and 3 measured 1 s iterations)
#   JMH_OPTS="-f 1 -wi 3 -i 5" bench/run-kernels.sh    longer run
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/run-kernels.sh    another JDK for the forks
#   SKIP_BUILD=1 bench/run-kernels.sh         reuse the jar
set -euo pipefail
cd "$(dirname "$0")/.."

JAVA=${JAVA:-java}
JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 2 -i 3 -w 1s -r 1s"}
FILTER=${FILTER:-'dev\.modelc\.bench\.kernels\.'}
OUT=bench/target/kernels

if [ -z "${SKIP_BUILD:-}" ]; then
  mvn -B -q -pl bench -am -DskipTests package
fi
mkdir -p "$OUT"

run() { # name, extra JVM flags for the forks
  echo "== $1: forks run with: -Dmodelc.kernels=auto $2"
  # shellcheck disable=SC2086
  "$JAVA" -jar bench/target/benchmarks.jar "$FILTER" $JMH_OPTS -jvm "$JAVA" \
    -jvmArgsAppend "-Dmodelc.kernels=auto $2" -rf json -rff "$OUT/$1.json"
}

run java ""
run vector "--add-modules jdk.incubator.vector"

if command -v python3 > /dev/null; then
  python3 - "$OUT/java.json" "$OUT/vector.json" <<'PY'
import json, sys
conv = 2 * 64 * 6 * 24 * 24 * 25
print("\n%-8s %-40s %12s %10s" % ("kernels", "benchmark", "ops/s", "GFLOP/s"))
for path in sys.argv[1:]:
    kind = path.rsplit("/", 1)[-1].split(".")[0]
    for r in json.load(open(path)):
        name = r["benchmark"].split("kernels.", 1)[1]
        params = r.get("params", {})
        flops = 2 * int(params["n"]) ** 3 if "n" in params else conv
        label = name + "".join(" %s=%s" % kv for kv in sorted(params.items()))
        score = r["primaryMetric"]["score"]
        if r["mode"] != "thrpt":  # a time per call (pooling): no FLOP count
            print("%-8s %-40s %12.1f %s" % (kind, label, score, r["primaryMetric"]["scoreUnit"]))
            continue
        print("%-8s %-40s %12.1f %10.1f" % (kind, label, score, score * flops / 1e9))
PY
fi
