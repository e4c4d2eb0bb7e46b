package dev.modelc.cli.train;

import dev.modelc.runtime.api.AnomalyException;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import dev.modelc.runtime.data.Batch;
import dev.modelc.runtime.data.Loader;
import dev.modelc.runtime.train.Accuracy;
import dev.modelc.runtime.train.ConfusionMatrix;
import dev.modelc.runtime.train.MeanLoss;

/**
 * A model's loss, and for classifiers its accuracy, over a dataset, without updating anything: what {@code modelc
 * train} measures on held-out data after each epoch and what {@code modelc eval} prints.
 *
 * <p><b>Classifiers.</b> A model is a classifier when it has exactly one {@code i32} input of shape {@code [B]}
 * (the labels), its first output is floating with shape {@code [B, C]}, {@code B} that same size symbol and
 * {@code C} a number of at least 2, and it has an objective. Its predicted class is the argmax of that output's row
 * ({@link Accuracy#argmax}, the first maximum wins, as {@code torch.argmax}).
 *
 * <p>Each batch runs {@link Model#forward()}, which computes the objective and the outputs and keeps the graph
 * state a backward pass would need, but changes no parameter, gradient or optimizer state; a model without an
 * objective runs {@link Model#predict()}. The loss is the mean of the batch losses weighted by batch size
 * ({@link MeanLoss}): the mean over samples for a {@code reduction = mean} loss.
 */
public final class Evaluation {
  private final MeanLoss loss = new MeanLoss();
  private final Accuracy accuracy;
  private final ConfusionMatrix confusion;

  private Evaluation(Accuracy accuracy, ConfusionMatrix confusion) {
    this.accuracy = accuracy;
    this.confusion = confusion;
  }

  /** The label input of a classifier (see the class comment), or null when the model is not one. */
  public static TensorSpec labelInput(Model model) {
    if (model.objective() == null || model.outputs().isEmpty()) {
      return null;
    }
    TensorSpec label = null;
    for (TensorSpec t : model.inputs()) {
      if (t.dtype().equals("i32") && t.shape().size() == 1) { // i32 inputs of other ranks (token ids) are data
        if (label != null) {
          return null;
        }
        label = t;
      }
    }
    TensorSpec out = model.outputs().get(0);
    if (label == null || label.shape().size() != 1 || out.dtype().equals("i32") || out.shape().size() != 2
        || !out.shape().get(0).equals(label.shape().get(0))) {
      return null;
    }
    String c = out.shape().get(1);
    return c.chars().allMatch(Character::isDigit) && Integer.parseInt(c) >= 2 ? label : null;
  }

  /** A classifier's number of classes (the first output's second dimension). */
  public static int classes(Model model) {
    return Integer.parseInt(model.outputs().get(0).shape().get(1));
  }

  /**
   * Evaluates over one unshuffled pass of {@code loader} in evaluation mode (PyTorch's {@code model.eval()}: dropout
   * is the identity and draws no mask, so a training run's masks do not depend on how often it is evaluated);
   * {@code confusion} also fills a confusion matrix.
   */
  public static Evaluation run(Model model, Loader loader, boolean confusion) {
    boolean training = model.training();
    model.setTraining(false);
    try {
      return evaluate(model, loader, confusion);
    } finally {
      model.setTraining(training);
    }
  }

  private static Evaluation evaluate(Model model, Loader loader, boolean confusion) {
    TensorSpec label = labelInput(model);
    Evaluation e = new Evaluation(label == null ? null : new Accuracy(),
        label != null && confusion ? new ConfusionMatrix(classes(model)) : null);
    String output = model.outputs().isEmpty() ? null : model.outputs().get(0).name();
    for (Batch b : loader.epoch(0)) {
      b.bindTo(model);
      try {
        if (model.objective() != null) {
          model.forward();
          e.loss.add(model.loss(), b.size());
        } else {
          model.predict();
        }
      } catch (IllegalArgumentException | AnomalyException ex) {
        throw new BatchFailure(b, ex);
      }
      if (label != null) {
        Object logits = model.output(output);
        e.accuracy.add(logits, b.ints(label.name()));
        if (e.confusion != null) {
          e.confusion.add(logits, b.ints(label.name()));
        }
      }
    }
    return e;
  }

  /** The mean loss, NaN for a model without an objective. */
  public double loss() {
    return loss.mean();
  }

  /** The accuracy of a classifier, else null. */
  public Accuracy accuracy() {
    return accuracy;
  }

  /** The confusion matrix when asked for and the model is a classifier, else null. */
  public ConfusionMatrix confusion() {
    return confusion;
  }
}
