#!/bin/sh
# Data-parallel training against single-machine training in Spark local mode (SparkTrainBench).
# usage: spark/run-bench.sh [master=local[2]] [records=4096] [steps=30] [partitions=2]
set -e
cd "$(dirname "$0")/.."
mvn -B -q -pl spark -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath
opens=$(sed -n 's:.*<spark.module.options>\(.*\)</spark.module.options>.*:\1:p' spark/pom.xml)
cd spark
SPARK_LOCAL_IP=127.0.0.1 exec java -Xmx4g $opens -Dmodelc.samples=../samples \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.modelc.spark.SparkTrainBench "$@"
