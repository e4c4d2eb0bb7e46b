#!/usr/bin/env bash
# The whole benchmark side by side: the compiled classes (plain-Java and Vector API kernels, JDK 17 and, when
# present, JDK 25), the reference interpreter and PyTorch, interleaved in rounds (each round starts fresh JVM forks
# and a fresh PyTorch process), pinned to one core; prints one table of medians over the rounds with the targets of
# docs/benchmarks.md beside them. Run from anywhere; results are kept in bench/target/all/.
#
#   bench/run-all.sh                 3 rounds (JMH: 1 fork, 2 warm-up (Vector API: 6) and 2 measured 1 s iterations)
#   bench/run-all.sh --quick         1 round of very short iterations of two models, no JDK 25, to try the harness
#                                    (its figures mean nothing)
#   bench/run-all.sh --rounds 5      more rounds
#   bench/run-all.sh --threads 2     also PyTorch on two threads (not pinned), printed beside
#   bench/run-all.sh --no-build      reuse bench/target/benchmarks.jar and the compiler's cli jar
#   bench/run-all.sh --report        print the table again from the results of the last run
#   bench/run-all.sh --dl4j          also Deeplearning4j (builds with -Pdl4j; 1.0.0-M2.1 on ND4J's CPU backend), in
#                                    a column beside PyTorch
#
# Environment: JAVA (default java, JDK 17), JAVA25 (default /usr/lib/jvm/temurin-25-jdk-amd64/bin/java when it
# exists; JAVA25= leaves JDK 25 out), PYTHON (default /usr/bin/python3, Debian's python3-torch), FULL_DATA (default
# /usr/share/datasets/fashion-mnist, the whole Fashion-MNIST when installed), CPU (default 0, the core to pin to).
#
# What runs in each round, in this order:
#   JDK 17 plain Java   TrainStepBenchmark.compiled* (5 models), MatMulBenchmark, Conv2dBenchmark (all -prof gc);
#                       TrainStepBenchmark.reference* (the 4 sample models), CompileBenchmark; EpochRun on the
#                       bundled subset and on the full set; AllocationRun (bytes per call, counted exactly)
#   PyTorch             torch_bench.py steps, epoch on the subset and the full set (OPENBLAS_CORETYPE and
#                       OPENBLAS_L2_SIZE unset, OPENBLAS_NUM_THREADS=1, torch.set_num_threads(1))
#   DL4J (--dl4j)       Dl4jStepBenchmark (5 models), Dl4jEpochRun on the subset and the full set (OMP_NUM_THREADS=1,
#                       which ND4J applies to its OpenMP loops and its OpenBLAS; the two OPENBLAS_ variables unset)
#   JDK 17 Vector API   as plain Java plus FmaPeakBenchmark, without the reference and compile benchmarks
#   `modelc compile`    each model as a whole process (hyperfine, or a loop of launches without it)
#   JDK 25              TrainStepBenchmark.compiledTrainStep plain and Vector API
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=3
QUICK=
THREADS=1
BUILD=1
REPORT_ONLY=
DL4J=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; ROUNDS=1 ;;
    --rounds) ROUNDS="$2"; shift ;;
    --threads) THREADS="$2"; shift ;;
    --no-build) BUILD= ;;
    --report) REPORT_ONLY=1 ;;
    --dl4j) DL4J=1 ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "run-all.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

JAVA=${JAVA:-java}
if [ -z "${JAVA25+set}" ]; then
  JAVA25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
fi
[ -n "$JAVA25" ] && [ ! -x "$JAVA25" ] && JAVA25=
PYTHON=${PYTHON:-/usr/bin/python3}
FULL_DATA=${FULL_DATA:-/usr/share/datasets/fashion-mnist}
SUBSET=samples/data/fashion-mnist
CPU=${CPU:-0}
OUT=bench/target/all
JAR=bench/target/benchmarks.jar
VECTOR="--add-modules jdk.incubator.vector"
DL4J_CP=bench/target/dl4j.classpath

if [ -n "$REPORT_ONLY" ]; then
  exec "$PYTHON" bench/report-all.py "$OUT"
fi

if [ -n "$QUICK" ]; then
  JMH="-f 1 -w 200ms -i 1 -r 300ms"
  WARMUPS=1
  VECTOR_WARMUPS=1
  TORCH_SECONDS=0.3
  COMPILE_RUNS=2
  # two models, one matrix size, no JDK 25: a few minutes
  MODELS=(-p model=linreg,mlp)
  REF_MODELS=(-p model=linreg,mlp)
  SIZES=(-p n=64)
  JAVA25=
else
  MODELS=()
  REF_MODELS=(-p model=linreg,logreg,mlp,cnn)
  SIZES=()
  JMH="-f 1 -w 1s -i 2 -r 1s"
  # Vector API code allocates (boxed vectors) until C2 has compiled it, which on a loaded core pinned together
  # with the JIT threads takes several seconds for the larger steps: a longer warm-up for those forks.
  WARMUPS=2
  VECTOR_WARMUPS=6
  TORCH_SECONDS=2
  COMPILE_RUNS=3
fi

PIN=()
if command -v taskset > /dev/null && taskset -c "$CPU" true 2> /dev/null; then
  PIN=(taskset -c "$CPU")
else
  echo "run-all.sh: taskset is missing or core $CPU is not usable; running unpinned" >&2
fi

if [ -n "$BUILD" ]; then
  mvn -B -q -pl bench -am -DskipTests ${DL4J:+-Pdl4j} package
fi
if [ -n "$DL4J" ] && [ ! -s "$DL4J_CP" ]; then
  echo "run-all.sh: $DL4J_CP is missing: build with mvn -B -pl bench -am -DskipTests -Pdl4j package" >&2
  exit 1
fi
rm -rf "$OUT"
mkdir -p "$OUT"

# shellcheck source=bench/torch-peer.sh
. bench/torch-peer.sh
find_torch run-all.sh

# The forks measure the steady state: -Dmodelc.poolRent=0 has the Vector API pooling blocks from the first step (by
# default they take over after 2^26 outputs, ~1,214 CNN steps, which a timed warm-up does not always cover), and
# -Dmodelc.transposeRent=0 the products' transposing squares (by default after 2^31 elements packed, ~37,000 MLP steps).
jmh() { # java, json file, extra JVM flags for the forks, JMH arguments... (the last "-p n=" and "-p model=" win)
  local java=$1 json=$2 flags=$3 wi=$WARMUPS
  shift 3
  [ -n "$flags" ] && wi=$VECTOR_WARMUPS
  # shellcheck disable=SC2086
  "${PIN[@]}" "$java" -jar "$JAR" "$@" $JMH -wi "$wi" -jvm "$java" -jvmArgsAppend "-Dmodelc.kernels=auto -Dmodelc.poolRent=0 -Dmodelc.transposeRent=0 $flags" \
    -rf json -rff "$json" >> "$OUT/jmh.log" 2>&1 || {
      echo "run-all.sh: JMH failed, see $OUT/jmh.log" >&2
      exit 1
    }
}

# Deeplearning4j on one thread: ND4J reads OMP_NUM_THREADS for its OpenMP loops and its OpenBLAS's threads (at its
# default it takes all the cores); the two OPENBLAS_ variables would hold OpenBLAS to an older kernel, as for PyTorch.
dl4j_env() {
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$@"
}

dl4j() { # round
  local cp
  cp="$JAR:$(cat "$DL4J_CP")"
  # shellcheck disable=SC2086
  dl4j_env "${PIN[@]}" "$JAVA" -cp "$cp" org.openjdk.jmh.Main 'Dl4jStepBenchmark' "${MODELS[@]}" $JMH \
    -wi "$VECTOR_WARMUPS" -jvm "$JAVA" -rf json -rff "$OUT/r$1-dl4j.json" >> "$OUT/jmh.log" 2>&1 || {
      echo "run-all.sh: JMH (DL4J) failed, see $OUT/jmh.log" >&2
      exit 1
    }
  dl4j_env "${PIN[@]}" "$JAVA" -cp "$cp" dev.modelc.bench.dl4j.Dl4jEpochRun "$SUBSET" 1 2> /dev/null \
    > "$OUT/r$1-dl4j-epoch-subset.json"
  if [ -d "$FULL_DATA" ] && [ -z "$QUICK" ]; then
    dl4j_env "${PIN[@]}" "$JAVA" -cp "$cp" dev.modelc.bench.dl4j.Dl4jEpochRun "$FULL_DATA" 1 2> /dev/null \
      > "$OUT/r$1-dl4j-epoch-full.json"
  fi
}

allocation() { # tag, java, flags: bytes allocated per compiled call, counted exactly (AllocationRun)
  local tag=$1 java=$2 flags=$3 warmup=5
  [ -n "$QUICK" ] && warmup=0.5
  local models=(linreg logreg mlp cnn widemlp)
  [ -n "$QUICK" ] && models=(linreg mlp)
  # shellcheck disable=SC2086
  "${PIN[@]}" "$java" $flags -cp "$JAR" dev.modelc.bench.train.AllocationRun "$warmup" "${models[@]}" 2> /dev/null \
    > "$OUT/$tag-alloc.jsonl"
}

epochs() { # tag, java, flags
  local tag=$1 java=$2 flags=$3
  # shellcheck disable=SC2086
  "${PIN[@]}" "$java" $flags -cp "$JAR" dev.modelc.bench.train.EpochRun "$SUBSET" 1 2> /dev/null \
    > "$OUT/$tag-epoch-subset.json"
  if [ -d "$FULL_DATA" ] && [ -z "$QUICK" ]; then
    # shellcheck disable=SC2086
    "${PIN[@]}" "$java" $flags -cp "$JAR" dev.modelc.bench.train.EpochRun "$FULL_DATA" 1 2> /dev/null \
      > "$OUT/$tag-epoch-full.json"
  fi
}

compile_process() { # round
  local dir
  dir=$(mktemp -d)
  local models=(samples/models/linreg.mdl samples/models/logreg.mdl samples/models/mlp.mdl samples/models/cnn.mdl
                bench/models/widemlp.mdl)
  if command -v hyperfine > /dev/null; then
    local cmds=()
    for m in "${models[@]}"; do
      cmds+=("${PIN[*]} ./modelc compile $m -d $dir")
    done
    # The launcher, as a user runs it (its JVM flags and class-data archive), with $JAVA first on the PATH.
    PATH="$(dirname "$JAVA"):$PATH" hyperfine -N --style none --warmup 1 --runs "$COMPILE_RUNS" --export-json "$OUT/r$1-compile-process.json" \
      "${cmds[@]}" > /dev/null
  else
    PATH="$(dirname "$JAVA"):$PATH" "$PYTHON" - "$OUT/r$1-compile-process.json" "$COMPILE_RUNS" "$dir" "${PIN[*]}" \
      "${models[@]}" <<'PY'
import json, subprocess, sys, time
out, runs, d, pin, models = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split(), sys.argv[5:]
results = []
for m in models:
    cmd = pin + ["./modelc", "compile", m, "-d", d]
    subprocess.run(cmd, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    times.sort()
    results.append({"command": " ".join(cmd), "median": times[len(times) // 2], "times": times})
json.dump({"results": results}, open(out, "w"))
PY
  fi
  rm -rf "$dir"
}

# What the table's header says about the run.
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu: $(lscpu 2> /dev/null | sed -n 's/^Model name: *//p' | head -1)"
  echo "cores: $(nproc)"
  echo "pinned: ${PIN[*]:-no}"
  echo "jdk17: $("$JAVA" -version 2>&1 | head -1)"
  [ -n "$JAVA25" ] && echo "jdk25: $("$JAVA25" -version 2>&1 | head -1)"
  echo "jmh: $JMH, warm-up iterations $WARMUPS (Vector API forks $VECTOR_WARMUPS)"
  echo "rounds: $ROUNDS"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/meta.txt"
[ -n "$HAS_TORCH" ] && torch_peer 1 "${PIN[@]}" -- info > "$OUT/torch-info.json"
[ -n "$HAS_TORCH" ] && [ "$THREADS" != 1 ] && torch_peer "$THREADS" -- info > "$OUT/torch-info-threads.json"
[ -n "$DL4J" ] && dl4j_env "${PIN[@]}" "$JAVA" -cp "$JAR:$(cat "$DL4J_CP")" dev.modelc.bench.dl4j.Dl4jInfo \
  2> /dev/null > "$OUT/dl4j-info.json"

for r in $(seq 1 "$ROUNDS"); do
  echo "round $r of $ROUNDS ($(date -u +%H:%M:%S), load $(cut -d' ' -f1 /proc/loadavg))" >&2
  echo "round $r load: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/meta.txt"
  jmh "$JAVA" "$OUT/r$r-j17-java.json" "" -prof gc "${MODELS[@]}" "${SIZES[@]}" 'TrainStepBenchmark\.compiled' \
    'MatMulBenchmark' 'Conv2dBenchmark'
  jmh "$JAVA" "$OUT/r$r-j17-reference.json" "" -prof gc "${REF_MODELS[@]}" 'TrainStepBenchmark\.reference'
  jmh "$JAVA" "$OUT/r$r-j17-compile.json" "" "${MODELS[@]}" 'CompileBenchmark'
  epochs "r$r-j17-java" "$JAVA" ""
  allocation "r$r-j17-java" "$JAVA" ""
  if [ -n "$HAS_TORCH" ]; then
    torch_peer 1 "${PIN[@]}" -- steps --seconds "$TORCH_SECONDS" > "$OUT/r$r-torch-steps.json"
    torch_peer 1 "${PIN[@]}" -- epoch "$SUBSET" > "$OUT/r$r-torch-epoch-subset.json"
    if [ -d "$FULL_DATA" ] && [ -z "$QUICK" ]; then
      torch_peer 1 "${PIN[@]}" -- epoch "$FULL_DATA" > "$OUT/r$r-torch-epoch-full.json"
    fi
    if [ "$THREADS" != 1 ]; then
      torch_peer "$THREADS" -- steps --seconds "$TORCH_SECONDS" > "$OUT/r$r-torch$THREADS-steps.json"
    fi
  fi
  [ -n "$DL4J" ] && dl4j "$r"
  jmh "$JAVA" "$OUT/r$r-j17-vector.json" "$VECTOR" -prof gc "${MODELS[@]}" "${SIZES[@]}" 'TrainStepBenchmark\.compiled' \
    'MatMulBenchmark' 'Conv2dBenchmark' 'FmaPeakBenchmark'
  epochs "r$r-j17-vector" "$JAVA" "$VECTOR"
  allocation "r$r-j17-vector" "$JAVA" "$VECTOR"
  compile_process "$r"
  if [ -n "$JAVA25" ]; then
    jmh "$JAVA25" "$OUT/r$r-j25-java.json" "" -prof gc 'TrainStepBenchmark\.compiledTrainStep'
    jmh "$JAVA25" "$OUT/r$r-j25-vector.json" "$VECTOR" -prof gc 'TrainStepBenchmark\.compiledTrainStep'
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/meta.txt"

"$PYTHON" bench/report-all.py "$OUT" | tee "$OUT/table.txt"
