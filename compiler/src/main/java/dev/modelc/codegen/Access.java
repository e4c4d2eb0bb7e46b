package dev.modelc.codegen;

import dev.modelc.ir.Node;
import dev.modelc.sched.Location;
import dev.modelc.types.DType;
import dev.modelc.types.Dim;
import java.util.List;
import org.objectweb.asm.Type;

/**
 * How generated code reaches the model's state, which lives in the arrays of
 * {@code dev.modelc.runtime.api.CompiledModel}: a value's array from its {@link Location}, a size's value from
 * the bound symbolic sizes, and the int tables of the class's own fields ({@link IntTables}).
 */
final class Access {
  final String owner;
  private final List<String> sizes;
  /** The .mdl file name, for messages that name a place in it (or null). */
  final String sourceFile;
  /** The shape tables the any-rank kernels read, declared once the steps are emitted. */
  final IntTables tables;

  Access(String owner, List<String> sizes, String sourceFile) {
    this.owner = owner;
    this.sizes = sizes;
    this.sourceFile = sourceFile;
    this.tables = new IntTables(owner);
  }

  /**
   * What a run-time error at node {@code n} is reported after: its place in the .mdl source and the function the user
   * wrote, {@code net.mdl:9:15: cross_entropy}, as the reference interpreter reports it.
   */
  String site(Node n, String call) {
    String file = sourceFile == null ? "" : sourceFile;
    String place = n.origin.known() ? (file.isEmpty() ? "" : file + ":") + n.origin : file;
    return place.isEmpty() ? call : place + ": " + call;
  }

  /** Pushes the array at a location, cast to the dtype's array type. */
  void array(Emitter e, Location at, DType dtype) {
    e.loadThis();
    e.getField(owner, field(at.kind()), Type.getType(Object[].class));
    e.push(at.index());
    e.arrayLoad(Emitter.OBJECT);
    e.checkCast(Emitter.array(dtype));
  }

  static String field(Location.Kind kind) {
    return switch (kind) {
      case INPUT -> "inputs";
      case PARAM -> "params";
      case GRAD -> "grads";
      case BUFFER -> "buffers";
    };
  }

  /** Pushes the int value of a size: its coefficient times the bound symbols. */
  void dim(Emitter e, Dim d) {
    e.push(Math.toIntExact(d.coefficient()));
    for (String s : d.symbols()) {
      e.loadThis();
      e.getField(owner, "sizes", Emitter.INT_ARRAY);
      e.push(sizes.indexOf(s));
      e.arrayLoad(Type.INT_TYPE);
      e.math(org.objectweb.asm.Opcodes.IMUL, Type.INT_TYPE);
    }
  }

  /** Pushes the double that is 1 in a training pass and 0 otherwise (CompiledModel's boolean trainingPass). */
  void training(Emitter e) {
    e.loadThis();
    e.getField(owner, "trainingPass", Type.BOOLEAN_TYPE);
    e.cast(Type.INT_TYPE, Type.DOUBLE_TYPE);
  }

  /** Pushes an int[] holding {@code table}'s values, without allocating ({@link IntTables}). */
  void ints(Emitter e, List<IntTables.Entry> table) {
    tables.push(e, this, table);
  }

  /** Pushes the product of several sizes. */
  void product(Emitter e, List<Dim> dims) {
    Dim p = Dim.of(1);
    for (Dim d : dims) p = p.times(d);
    dim(e, p);
  }
}
