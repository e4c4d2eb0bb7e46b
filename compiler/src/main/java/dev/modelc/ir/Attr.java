package dev.modelc.ir;

import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import dev.modelc.types.Shape;
import java.util.List;

/**
 * The static attributes of a node (everything that is not an operand). Records, so that two nodes with equal op,
 * attribute and operands are equal for common-subexpression elimination. {@link #text()} is what the printer shows.
 */
public sealed interface Attr {
  String text();

  None NONE = new None();

  record None() implements Attr {
    public String text() {
      return "";
    }
  }

  /** INPUT and PARAM: the name the value is bound by. */
  record Name(String name) implements Attr {
    public String text() {
      return "\"" + name + "\"";
    }
  }

  /** CONSTANT: the fill value; LEAKY_RELU: the negative slope. */
  record Value(double value) implements Attr {
    public String text() {
      return Double.toString(value);
    }
  }

  record Softplus(double beta, double threshold) implements Attr {
    public String text() {
      return "beta=" + beta + " threshold=" + threshold;
    }
  }

  /** SIZE: the size whose value the scalar holds. */
  record Size(Dim dim) implements Attr {
    public String text() {
      return "size=" + dim;
    }
  }

  /** BROADCAST_TO and RESHAPE: the result shape. */
  record Target(Shape shape) implements Attr {
    public String text() {
      return "to=" + Dims.text(shape);
    }
  }

  record Perm(List<Integer> perm) implements Attr {
    public Perm {
      perm = List.copyOf(perm);
    }

    public String text() {
      return "perm=" + perm;
    }
  }

  /** SLICE: along dim d the elements {@code start[d] + i * step[d]}, {@code i < shape[d]}. */
  record Slice(List<Integer> start, List<Integer> step, Shape shape) implements Attr {
    public Slice {
      start = List.copyOf(start);
      step = List.copyOf(step);
    }

    public String text() {
      return "start=" + start + " step=" + step + " to=" + Dims.text(shape);
    }
  }

  /** SLICE_BACKWARD: the slice it is the transpose of and the shape of the sliced operand. */
  record SliceTo(Slice slice, Shape shape) implements Attr {
    public String text() {
      return slice.text() + " from=" + Dims.text(shape);
    }
  }

  /** Reductions: sorted non-negative axes; LOG_SOFTMAX: exactly one axis, keepdim unused. */
  record Axes(List<Integer> axes, boolean keepdim) implements Attr {
    public Axes {
      axes = List.copyOf(axes);
    }

    public String text() {
      return "axes=" + axes + (keepdim ? " keepdim" : "");
    }
  }

  /** CONV2D and pooling: kernel size (pooling only; conv takes it from the weight), stride and padding. */
  record Window(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) implements Attr {
    public String text() {
      String k = kernelH > 0 ? "kernel=[" + kernelH + ", " + kernelW + "] " : "";
      return k + "stride=[" + strideH + ", " + strideW + "] padding=[" + padH + ", " + padW + "]";
    }
  }

  /** Backward window ops: the window and the shape of the operand whose gradient they build. */
  record WindowTo(Window window, Shape shape) implements Attr {
    public String text() {
      return window.text() + " to=" + Dims.text(shape);
    }
  }

  /**
   * GATHER: the axis read along; {@code select} for whole slices at an index of any shape (index_select, embedding),
   * else one index per element (torch.gather, the index of x's shape except along the axis). {@code padding} (or -1)
   * is embedding's padding_idx: the gradient skips positions at it, and where {@code zeroPadding} (the transpose of
   * such a skipping scatter-add) they read 0. {@code call} is the .mdl function that reads (index_select, gather,
   * embedding), which an index out of range names at run time.
   */
  record Index(int axis, boolean select, int padding, boolean zeroPadding, String call) implements Attr {
    public Index withZeroPadding(boolean zero) {
      return new Index(axis, select, padding, zero, call);
    }

    public String text() {
      return "axis=" + axis + (select ? " select" : "") + (padding >= 0 ? " padding=" + padding : "")
          + (zeroPadding ? " zero-padding" : "") + " of=" + call;
    }
  }

  /** SCATTER_ADD: the gather it transposes and the shape of that gather's operand. */
  record IndexTo(Index index, Shape shape) implements Attr {
    public String text() {
      return index.text() + " to=" + Dims.text(shape);
    }
  }

  /**
   * DROPOUT: the drop probability and the site, a number per dropout call of the model, so that each call draws a
   * mask of its own and the gradient of a call reads that call's mask.
   */
  record Dropout(double p, int site) implements Attr {
    public String text() {
      return "p=" + p + " site=" + site;
    }
  }

  /** TO_FLOAT: the float dtype of the result. */
  record ToFloat(DType dtype) implements Attr {
    public String text() {
      return "dtype=" + dtype.spelling();
    }
  }

  /**
   * ONE_HOT: number of classes and the float dtype of the result; {@code call} is the .mdl function whose labels it
   * reads (one_hot, nll, cross_entropy), which a label out of range names at run time.
   */
  record Classes(long count, DType dtype, String call) implements Attr {
    public String text() {
      return "classes=" + count + " dtype=" + dtype.name().toLowerCase(java.util.Locale.ROOT) + " of=" + call;
    }
  }
}
