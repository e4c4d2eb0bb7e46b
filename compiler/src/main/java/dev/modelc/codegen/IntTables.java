package dev.modelc.codegen;

import dev.modelc.types.Dim;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * The int arrays the runtime's any-rank kernels read their shapes from ({@code Movement.strided},
 * {@code Reductions.reduce} over runs), held in fields of the model class so that a call allocates nothing. One field
 * per distinct table, named {@code ints$k}:
 * <ol>
 *   <li>a table whose entries are all constants is {@code private static final}, filled once in {@code <clinit>};
 *   <li>a table with an entry that reads a symbolic size is {@code private final} in each instance, allocated with
 *       its constant entries by the constructor; the step sets its symbolic entries before each call, since a call
 *       may bind other sizes (a batch-split replica is an instance of its own, with its own table).
 * </ol>
 * The steps ask for their tables while the class is emitted ({@link #push}); the fields, {@code <clinit>} and the
 * constructor's part are written after the steps ({@link #declare}, {@link #allocate}).
 */
final class IntTables {
  /** An entry: the sum of its terms (a slice's offset is several; a size or a stride is one). */
  record Entry(List<Dim> terms) {
    static Entry of(Dim d) {
      return new Entry(List.of(d));
    }

    boolean isConstant() {
      return terms.stream().allMatch(Dim::isConstant);
    }

    int constant() {
      long sum = 0;
      for (Dim d : terms) sum += d.coefficient();
      return Math.toIntExact(sum);
    }
  }

  private static final String PREFIX = "ints$";
  private final String owner;
  private final Map<List<Entry>, String> names = new LinkedHashMap<>();

  IntTables(String owner) {
    this.owner = owner;
  }

  private static boolean isConstant(List<Entry> table) {
    return table.stream().allMatch(Entry::isConstant);
  }

  /** Pushes the array holding {@code table}, its symbolic entries set from the bound sizes first. */
  void push(Emitter e, Access access, List<Entry> table) {
    String name = names.computeIfAbsent(List.copyOf(table), t -> PREFIX + names.size());
    if (isConstant(table)) {
      e.mv.visitFieldInsn(Opcodes.GETSTATIC, owner, name, Emitter.INT_ARRAY.getDescriptor());
      return;
    }
    e.loadThis();
    e.getField(owner, name, Emitter.INT_ARRAY);
    for (int i = 0; i < table.size(); i++) {
      Entry entry = table.get(i);
      if (entry.isConstant()) continue;
      e.dup(Emitter.INT_ARRAY);
      e.push(i);
      access.dim(e, entry.terms().get(0));
      for (Dim d : entry.terms().subList(1, entry.terms().size())) {
        access.dim(e, d);
        e.math(Opcodes.IADD, Type.INT_TYPE);
      }
      e.arrayStore(Type.INT_TYPE);
    }
  }

  /** Declares the fields and writes {@code <clinit>}, which fills the constant tables; nothing without tables. */
  void declare(ClassVisitor cv) {
    boolean anyStatic = false;
    for (Map.Entry<List<Entry>, String> t : names.entrySet()) {
      boolean constant = isConstant(t.getKey());
      anyStatic |= constant;
      int access = Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL | (constant ? Opcodes.ACC_STATIC : 0);
      cv.visitField(access, t.getValue(), Emitter.INT_ARRAY.getDescriptor(), null, null).visitEnd();
    }
    if (!anyStatic) return;
    Emitter e = new Emitter(cv, Opcodes.ACC_STATIC, "<clinit>", "()V");
    for (Map.Entry<List<Entry>, String> t : names.entrySet()) {
      if (!isConstant(t.getKey())) continue;
      newTable(e, t.getKey());
      e.mv.visitFieldInsn(Opcodes.PUTSTATIC, owner, t.getValue(), Emitter.INT_ARRAY.getDescriptor());
    }
    e.returnVoid();
    e.end();
  }

  /** In the constructor: allocates each instance's tables with their constant entries. */
  void allocate(Emitter e) {
    for (Map.Entry<List<Entry>, String> t : names.entrySet()) {
      if (isConstant(t.getKey())) continue;
      e.loadThis();
      newTable(e, t.getKey());
      e.putField(owner, t.getValue(), Emitter.INT_ARRAY);
    }
  }

  /** {@code new int[] {...}} with the table's constant entries (its symbolic ones 0). */
  private static void newTable(Emitter e, List<Entry> table) {
    e.push(table.size());
    e.mv.visitIntInsn(Opcodes.NEWARRAY, Opcodes.T_INT);
    for (int i = 0; i < table.size(); i++) {
      Entry entry = table.get(i);
      if (!entry.isConstant() || entry.constant() == 0) continue;
      e.dup(Emitter.INT_ARRAY);
      e.push(i);
      e.push(entry.constant());
      e.arrayStore(Type.INT_TYPE);
    }
  }
}
