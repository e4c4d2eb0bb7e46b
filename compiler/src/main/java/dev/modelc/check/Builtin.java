package dev.modelc.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The builtin operations of the language with their argument signatures: one constant per op, loss and operator.
 * Shape and dtype rules are in {@link BuiltinRules}. Operators ({@code + - * / ** @ ^T}, unary minus, the mask operators {@code & | ~}, indexing {@code x[...]}) are builtins too,
 * so that checked trees have one kind of call.
 *
 * <p>A signature lists arguments in positional order: {@code name:kind} or {@code name:kind=default}. Kinds:
 * {@code tensor}, {@code tensor?} (optional tensor), {@code labels} (an i32 tensor of class labels), {@code index} (an
 * i32 tensor of indices), {@code mask} (a bool tensor, a comparison's result), {@code tensors} (a list of tensors, written {@code [a, b]}), {@code int}, {@code pair} (an
 * int or a list of two), {@code dims} (an int or a list of ints), {@code bool}, {@code float}, {@code string},
 * {@code counter?} (an optional i32 counter buffer, batch_norm's {@code num_batches_tracked}: a state the call updates,
 * not an operand). A {@code ?} after a constant kind ({@code float?=0.1}) lets the argument be {@code none} although
 * its default is not.
 */
public enum Builtin {
  // Operators.
  ADD("a:tensor, b:tensor"),
  SUB("a:tensor, b:tensor"),
  MUL("a:tensor, b:tensor"),
  DIV("a:tensor, b:tensor"),
  POW("a:tensor, b:tensor"),
  MATMUL("a:tensor, b:tensor"),
  NEG("x:tensor"),
  LT("a:tensor, b:tensor"),
  LE("a:tensor, b:tensor"),
  GT("a:tensor, b:tensor"),
  GE("a:tensor, b:tensor"),
  EQ("a:tensor, b:tensor"),
  NE("a:tensor, b:tensor"),
  WHERE("condition:mask, input:tensor, other:tensor"),
  AND("a:mask, b:mask"),
  OR("a:mask, b:mask"),
  NOT("x:mask"),
  FLOAT("mask:mask"),
  INDEX("x:tensor"),
  // Elementwise functions.
  EXP("x:tensor"),
  LOG("x:tensor"),
  SQRT("x:tensor"),
  ABS("x:tensor"),
  SIN("x:tensor"),
  COS("x:tensor"),
  TANH("x:tensor"),
  SIGMOID("x:tensor"),
  RELU("x:tensor"),
  LEAKY_RELU("x:tensor, negative_slope:float=0.01"),
  SOFTPLUS("x:tensor, beta:float=1, threshold:float=20"),
  GELU("x:tensor, approximate:string=none"),
  MAXIMUM("a:tensor, b:tensor"),
  MINIMUM("a:tensor, b:tensor"),
  CLAMP("x:tensor, min:float=none, max:float=none"),
  // Movement.
  TRANSPOSE("x:tensor, dim0:int, dim1:int"),
  RESHAPE("x:tensor, shape:shape"),
  FLATTEN("x:tensor, start_dim:int=0, end_dim:int=-1"),
  CAT("tensors:tensors, dim:int=0"),
  STACK("tensors:tensors, dim:int=0"),
  // Reductions and normalizations.
  SUM("x:tensor, dim:dims=none, keepdim:bool=false"),
  MEAN("x:tensor, dim:dims=none, keepdim:bool=false"),
  MAX("x:tensor, dim:dims=none, keepdim:bool=false"),
  /** {@code max(x)} without a dim (torch.max(x), whose gradient rule differs): the checker's name for it, not callable. */
  MAX_ALL("x:tensor, dim:dims=none, keepdim:bool=false"),
  AMAX("x:tensor, dim:dims=none, keepdim:bool=false"),
  LOGSUMEXP("x:tensor, dim:dims=none, keepdim:bool=false"),
  SOFTMAX("x:tensor, dim:int"),
  LOG_SOFTMAX("x:tensor, dim:int"),
  LAYER_NORM("x:tensor, normalized_shape:dims, weight:tensor?, bias:tensor?, eps:float=1e-5"),
  GROUP_NORM("x:tensor, num_groups:int, weight:tensor?, bias:tensor?, eps:float=1e-5"),
  BATCH_NORM("x:tensor, running_mean:tensor, running_var:tensor, weight:tensor?, bias:tensor?, momentum:float?=0.1, "
      + "eps:float=1e-5, num_batches_tracked:counter?"),
  // Layers as functions.
  LINEAR("x:tensor, weight:tensor, bias:tensor?"),
  CONV2D("x:tensor, weight:tensor, bias:tensor?, stride:pair=1, padding:pair=0"),
  MAXPOOL2D("x:tensor, kernel_size:pair, stride:pair=none, padding:pair=0"),
  AVGPOOL2D("x:tensor, kernel_size:pair, stride:pair=none, padding:pair=0"),
  DETACH("x:tensor"),
  DROPOUT("x:tensor, p:float=0.5"),
  // Integer indices.
  INDEX_SELECT("x:tensor, dim:int, index:index"),
  GATHER("x:tensor, dim:int, index:index"),
  ONE_HOT("index:index, num_classes:int, dtype:string=f32"),
  EMBEDDING("index:index, weight:tensor, padding_idx:int=none"),
  // Losses.
  MSE("input:tensor, target:tensor, reduction:string=mean"),
  L1("input:tensor, target:tensor, reduction:string=mean"),
  CROSS_ENTROPY("input:tensor, target:labels, reduction:string=mean"),
  NLL("input:tensor, target:labels, reduction:string=mean"),
  BCE("input:tensor, target:tensor, reduction:string=mean"),
  BCE_WITH_LOGITS("input:tensor, target:tensor, reduction:string=mean"),
  // Gradients as values.
  GRAD("of:tensor, wrt:tensor, seed:tensor?");

  /** One argument of a signature. */
  public record Arg(String name, String kind, String defaultValue, boolean noneAllowed) {
    public boolean isTensor() {
      return kind.startsWith("tensor") || kind.equals("labels") || kind.equals("index") || kind.equals("mask");
    }

    /** batch_norm's num_batches_tracked: checked as an expression (a buffer reference), kept out of the operands. */
    public boolean isCounter() {
      return kind.equals("counter?");
    }

    public boolean required() {
      return defaultValue == null && !kind.equals("tensor?") && !isCounter();
    }
  }

  private final List<Arg> args;

  Builtin(String signature) {
    List<Arg> list = new ArrayList<>();
    for (String part : signature.split(",\\s*")) {
      String[] nameRest = part.split(":");
      String[] kindDefault = nameRest[1].split("=");
      String kind = kindDefault[0].trim();
      String defaultValue = kindDefault.length > 1 ? kindDefault[1] : null;
      boolean constantOrNone = kind.endsWith("?") && !kind.equals("tensor?") && !kind.equals("counter?");
      list.add(new Arg(nameRest[0].trim(), constantOrNone ? kind.substring(0, kind.length() - 1) : kind, defaultValue,
          constantOrNone || "none".equals(defaultValue)));
    }
    this.args = List.copyOf(list);
  }

  public List<Arg> args() {
    return args;
  }

  /** The name a model calls it by ({@code log_softmax}); operators have none callable. */
  public String spelling() {
    return this == MAX_ALL ? "max" : name().toLowerCase(Locale.ROOT);
  }

  /**
   * Whether a model may call this builtin by name (operators are written as symbols); {@code neg(x)} is both, as
   * torch.neg is {@code -x}.
   */
  public boolean callable() {
    return switch (this) {
      case ADD, SUB, MUL, DIV, POW, MATMUL, INDEX, LT, LE, GT, GE, EQ, NE, AND, OR, NOT, MAX_ALL -> false;
      default -> true;
    };
  }

  public static Builtin byName(String name) {
    for (Builtin b : values()) {
      if (b.callable() && b.spelling().equals(name)) {
        return b;
      }
    }
    return null;
  }

  public boolean isLoss() {
    return switch (this) {
      case MSE, L1, CROSS_ENTROPY, NLL, BCE, BCE_WITH_LOGITS -> true;
      default -> false;
    };
  }
}
