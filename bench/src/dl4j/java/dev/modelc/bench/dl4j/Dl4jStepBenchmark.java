package dev.modelc.bench.dl4j;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The Deeplearning4j peer of {@code TrainStepBenchmark}: one {@code MultiLayerNetwork.fit(DataSet)} (forward,
 * backward and updater step, DL4J's own workspaces) and one {@code output(features)} per call, on a fixed random
 * batch of each benchmark model ({@link Dl4jModels}). Built only with the Maven profile {@code dl4j}; run it with
 * {@code OMP_NUM_THREADS=1} in the environment, which ND4J reads for both its OpenMP loops and OpenBLAS's threads
 * ({@code bench/run-all.sh --dl4j} does; {@link Dl4jInfo} prints what ND4J ended up with).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class Dl4jStepBenchmark {
  @Param({"linreg", "logreg", "mlp", "cnn", "widemlp"})
  public String model;

  private MultiLayerNetwork net;
  private DataSet batch;
  private INDArray features;

  @Setup
  public void setUp() {
    net = Dl4jModels.network(model, 1);
    batch = Dl4jModels.randomBatch(model, 1);
    features = batch.getFeatures();
  }

  @Benchmark
  public MultiLayerNetwork trainStep() {
    net.fit(batch);
    return net;
  }

  @Benchmark
  public INDArray predict() {
    return net.output(features);
  }
}
