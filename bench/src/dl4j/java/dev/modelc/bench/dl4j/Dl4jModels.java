package dev.modelc.bench.dl4j;

import dev.modelc.bench.models.BenchModels;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * The benchmark models of {@link BenchModels} built as Deeplearning4j networks, the JVM peer of the compiled classes
 * and of PyTorch ({@code bench/peers/torch_bench.py}): the same layers, losses, learning rates and batch sizes, f32.
 *
 * <p>Where DL4J differs: its losses take one-hot labels for the classifiers ({@code MCXENT} after a softmax output
 * layer, which DL4J fuses into one gradient) and the logistic regression is a sigmoid output layer with binary
 * cross-entropy ({@code XENT}) rather than PyTorch's {@code binary_cross_entropy_with_logits}. DL4J has no plain
 * (heavy-ball) momentum: its momentum updater is Nesterov's ({@link Nesterovs}), used for the MLP with the same
 * learning rate 0.05 and momentum 0.9; it costs the same elementwise passes per parameter.
 */
public final class Dl4jModels {
  private Dl4jModels() {}

  /** The network of {@code model}, initialized with DL4J's defaults (Xavier weights) and seed {@code seed}. */
  public static MultiLayerNetwork network(String model, long seed) {
    MultiLayerConfiguration conf = switch (model) {
      case "linreg" -> base(seed, new Sgd(0.01)).list()
          .layer(new OutputLayer.Builder(LossFunction.MSE).nIn(1).nOut(1).activation(Activation.IDENTITY).build())
          .build();
      case "logreg" -> base(seed, new Sgd(0.1)).list()
          .layer(new OutputLayer.Builder(LossFunction.XENT).nIn(20).nOut(1).activation(Activation.SIGMOID)
              .weightInit(WeightInit.ZERO).build())
          .build();
      case "mlp" -> dense(base(seed, new Nesterovs(0.05, 0.9)), 784, 128, 64, 10);
      case "widemlp" -> dense(base(seed, new Adam(0.001)), 784, 1024, 1024, 10);
      case "cnn" -> base(seed, new Adam(0.001)).list()
          .layer(new ConvolutionLayer.Builder(5, 5).stride(1, 1).nIn(1).nOut(6).activation(Activation.RELU).build())
          .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
          .layer(new DenseLayer.Builder().nOut(120).activation(Activation.RELU).build())
          .layer(new DenseLayer.Builder().nIn(120).nOut(84).activation(Activation.RELU).build())
          .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(84).nOut(10).activation(Activation.SOFTMAX).build())
          .setInputType(InputType.convolutional(28, 28, 1))
          .build();
      default -> throw new IllegalArgumentException("no DL4J network for model " + model
          + " (expected linreg, logreg, mlp, cnn or widemlp)");
    };
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  /** A fixed random batch of {@code model}: inputs uniform in [0, 1), classifier labels one-hot of 0..9. */
  public static DataSet randomBatch(String model, long seed) {
    int n = BenchModels.batch(model);
    Nd4j.getRandom().setSeed(seed);
    return switch (model) {
      case "linreg" -> new DataSet(Nd4j.rand(DataType.FLOAT, n, 1), Nd4j.rand(DataType.FLOAT, n, 1));
      case "logreg" -> new DataSet(Nd4j.rand(DataType.FLOAT, n, 20), Nd4j.rand(DataType.FLOAT, n, 1));
      case "mlp", "widemlp" -> new DataSet(Nd4j.rand(DataType.FLOAT, n, 784), oneHot(randomLabels(n, seed)));
      case "cnn" -> new DataSet(Nd4j.rand(DataType.FLOAT, n, 1, 28, 28), oneHot(randomLabels(n, seed)));
      default -> throw new IllegalArgumentException("no batch for model " + model);
    };
  }

  /** Labels {@code 0..9} as rows of a one-hot {@code f32[n, 10]} matrix, as DL4J's classifier losses take them. */
  public static INDArray oneHot(int[] labels) {
    INDArray out = Nd4j.zeros(DataType.FLOAT, labels.length, 10);
    for (int i = 0; i < labels.length; i++) {
      out.putScalar(i, labels[i], 1f);
    }
    return out;
  }

  private static int[] randomLabels(int n, long seed) {
    Random rnd = new Random(seed);
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = rnd.nextInt(10);
    }
    return t;
  }

  private static NeuralNetConfiguration.Builder base(long seed, IUpdater updater) {
    return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).updater(updater);
  }

  /** {@code in -> h1 -> h2 -> out}: two ReLU dense layers and a softmax output layer with cross-entropy. */
  private static MultiLayerConfiguration dense(NeuralNetConfiguration.Builder b, int in, int h1, int h2, int out) {
    return b.list()
        .layer(new DenseLayer.Builder().nIn(in).nOut(h1).activation(Activation.RELU).build())
        .layer(new DenseLayer.Builder().nIn(h1).nOut(h2).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunction.MCXENT).nIn(h2).nOut(out).activation(Activation.SOFTMAX).build())
        .build();
  }
}
