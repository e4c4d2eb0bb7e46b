package dev.modelc.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.data.DataBinding;
import dev.modelc.runtime.kernels.Kernels;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Two executor JVMs ({@code local-cluster[2,1,1024]}): the model class travels as bytes in a broadcast and is
 * defined on each executor; the runtime and this module come from the class path, as {@code --jars} would give them.
 * Needs {@code SPARK_HOME} (surefire sets it to {@code target/spark-home}, whose {@code jars} folder this test fills
 * with the test class path's jars) and {@code SPARK_SCALA_VERSION}. Most of its time is the executors' start, so
 * it runs in continuous integration ({@code CI} set) or with {@code -Dmodelc.spark.localCluster=true}.
 */
class LocalClusterTest {

    static boolean wanted() {
        return Boolean.getBoolean("modelc.spark.localCluster") || System.getenv("CI") != null;
    }

    private static String kernelOfThisJvm() {
        return Kernels.selected() == Kernels.plainJava() ? "java" : "vector";
    }

    @Test
    @EnabledIf("wanted")
    void executorsInOtherJvmsTrainAsTheSerialReference() throws Exception {
        String home = System.getenv("SPARK_HOME");
        assertTrue(home != null, "SPARK_HOME is set by the build");
        Path jars = Path.of(home, "jars");
        Files.createDirectories(jars);
        List<String> dirs = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath();
            if (Files.isDirectory(p)) {
                dirs.add(p.toString());
            } else if (entry.endsWith(".jar") && !p.getFileName().toString().startsWith("surefire")) {
                Path link = jars.resolve(p.getFileName());
                if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, p);
                }
            }
        }
        SparkConf conf = Fixtures.conf("local-cluster[2,1,1024]")
                .set("spark.executor.memory", "512m")
                .set("spark.executor.extraClassPath", String.join(File.pathSeparator, dirs))
                // Spark starts executors with --add-modules=jdk.incubator.vector, so they would choose the Vector API
                // kernel; the serial reference in this JVM uses plain Java, and bit equality needs the same kernel
                .set("spark.executor.extraJavaOptions", "-XX:TieredStopAtLevel=1 -Dmodelc.kernels=" + kernelOfThisJvm());

        long t0 = System.nanoTime();
        JavaSparkContext sc = new JavaSparkContext(conf);
        long t1 = System.nanoTime();
        try {
            // the executors start while the driver compiles the model and computes the reference
            ModelClass cls = Fixtures.mlp();
            DataBinding binding = Fixtures.bind(Fixtures.fashion(200), cls);
            SparkTrainer.Config cfg = SparkTrainer.Config.defaults().withBatchSize(32).withSeed(13);
            Model reference = cls.newInstance(1);
            double[] serial = Fixtures.shardedSerial(cls, reference, Fixtures.shards(binding, 2), cfg, 200, 10);

            long deadline = System.nanoTime() + 120_000_000_000L;
            while (sc.sc().statusTracker().getExecutorInfos().length < 3) {   // two executors and the driver
                assertTrue(System.nanoTime() < deadline, "the executors did not register within 120 s");
                Thread.sleep(50);
            }
            long t1b = System.nanoTime();
            try (TrainData data = TrainData.parallelize(sc, binding, 2)) {
                List<String> executors = sc.parallelize(List.of(0, 1), 2)
                        .map(i -> java.lang.management.ManagementFactory.getRuntimeMXBean().getPid() + "").collect();
                assertTrue(data.uniformKernels(), data.kernels().toString());
                assertEquals(Kernels.selectionReason().startsWith("Vector") ? "vector" : "java", kernelOfThisJvm());
                long t2 = System.nanoTime();
                SparkTrainer t = SparkTrainer.create(sc, cls, 1, data, cfg);
                double[] losses = t.train(10);
                System.out.printf("local-cluster: context %.1f s, executors registered after %.1f s, data %.1f s, 10 steps %.2f s%n",
                        (t1 - t0) / 1e9, (t1b - t1) / 1e9, (t2 - t1b) / 1e9, (System.nanoTime() - t2) / 1e9);
                assertArrayEquals(serial, losses, 0.0, "bit for bit, with executors in " + executors);
                assertArrayEquals(Fixtures.params(reference), Fixtures.params(t.model()), 0f);
                Evaluation e = t.evaluate(data);
                assertEquals(200, e.count());
                System.out.println("local-cluster executors " + executors + ": loss " + losses[0] + " -> " + losses[9] + "; " + e);
            }
        } finally {
            sc.stop();
        }
    }
}
