package dev.modelc.bench.dl4j;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Properties;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the DL4J peer runs on, as one JSON line: DL4J's version, the ND4J backend and its BLAS, the thread counts
 * ND4J took from the environment (libnd4j's OpenMP threads, its "master" threads and OpenBLAS's threads, all from
 * {@code OMP_NUM_THREADS} when set) and the variables themselves. {@code bench/run-all.sh --dl4j} keeps it beside
 * the results.
 */
public final class Dl4jInfo {
  private Dl4jInfo() {}

  public static void main(String[] args) throws IOException {
    Environment env = Nd4j.getEnvironment();
    Nd4j.rand(64, 64).mmul(Nd4j.rand(64, 64));  // loads the BLAS
    System.out.println(String.format(Locale.ROOT,
        "{\"dl4j\": \"%s\", \"backend\": \"%s\", \"blas_vendor\": \"%s\", "
            + "\"blas_threads\": %d, \"nd4j_max_threads\": %d, \"nd4j_master_threads\": %d, "
            + "\"OMP_NUM_THREADS\": %s, \"OPENBLAS_NUM_THREADS\": %s, \"jvm\": \"%s\"}",
        version(), Nd4j.getBackend().getClass().getSimpleName(), Nd4j.factory().blas().getBlasVendor(),
        Nd4j.factory().blas().getMaxThreads(), env.maxThreads(), env.maxMasterThreads(),
        quoted(System.getenv("OMP_NUM_THREADS")), quoted(System.getenv("OPENBLAS_NUM_THREADS")),
        System.getProperty("java.vm.version")));
  }

  /** DL4J's version, from the Maven metadata in its jar. */
  private static String version() throws IOException {
    try (InputStream in = MultiLayerNetwork.class.getResourceAsStream(
        "/META-INF/maven/org.deeplearning4j/deeplearning4j-nn/pom.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    }
  }

  private static String quoted(String v) {
    return v == null ? "null" : "\"" + v + "\"";
  }
}
