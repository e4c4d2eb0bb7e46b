#!/bin/sh
# Data-parallel training against single-machine training in Spark local mode (SparkTrainBench).
# usage: spark/run-bench.sh [master=local[2]] [records=4096] [steps=30] [partitions=2]
# Build first: mvn -B -q -pl spark -am verify -DskipTests
set -e
cd "$(dirname "$0")"
cp_file=target/bench.classpath
mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null 2>&1 \
  || mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file"
opens=$(sed -n 's:.*<spark.module.options>\(.*\)</spark.module.options>.*:\1:p' pom.xml)
SPARK_LOCAL_IP=127.0.0.1 exec java -Xmx4g $opens -Dmodelc.samples=../samples \
  -cp "target/test-classes:target/classes:$(cat "$cp_file")" dev.modelc.spark.SparkTrainBench "$@"
