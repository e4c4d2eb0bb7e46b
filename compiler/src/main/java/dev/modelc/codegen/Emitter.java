package dev.modelc.codegen;

import dev.modelc.ir.Origin;
import dev.modelc.types.DType;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * A small typed layer over ASM's MethodVisitor, so that emitters say what they mean ({@code push}, {@code load},
 * {@code math(ADD, type)}, {@code loop}) rather than choosing opcodes. Typed instructions pick their opcode from an
 * ASM {@link Type} (the int form of an opcode, adjusted by {@code Type.getOpcode}). Locals are handed out in
 * order; frames and the maximum stack are computed by the ClassWriter.
 */
final class Emitter {
  static final Type FLOAT_ARRAY = Type.getType(float[].class);
  static final Type DOUBLE_ARRAY = Type.getType(double[].class);
  static final Type INT_ARRAY = Type.getType(int[].class);
  static final Type OBJECT = Type.getType(Object.class);

  final MethodVisitor mv;
  private int nextLocal;

  Emitter(ClassVisitor cv, int access, String name, String descriptor) {
    mv = cv.visitMethod(access, name, descriptor, null, null);
    mv.visitCode();
    nextLocal = (access & Opcodes.ACC_STATIC) != 0 ? 0 : 1;
    for (Type t : Type.getArgumentTypes(descriptor)) nextLocal += t.getSize();
  }

  /** The element type of a dtype's arrays. */
  static Type element(DType dtype) {
    return switch (dtype) {
      case F32 -> Type.FLOAT_TYPE;
      case F64 -> Type.DOUBLE_TYPE;
      case I32 -> Type.INT_TYPE;
      case BOOL -> throw new IllegalStateException("bool is the checker's mask type; the IR holds masks as floats");
    };
  }

  static Type array(DType dtype) {
    return Type.getType("[" + element(dtype).getDescriptor());
  }

  void line(Origin origin) {
    if (!origin.known()) return;
    Label here = new Label();
    mv.visitLabel(here);
    mv.visitLineNumber(origin.line(), here);
  }

  int newLocal(Type type) {
    int slot = nextLocal;
    nextLocal += type.getSize();
    return slot;
  }

  /** The local slot of argument i (0-based, after {@code this} for instance methods). */
  static int argSlot(boolean isStatic, Type[] args, int i) {
    int slot = isStatic ? 0 : 1;
    for (int a = 0; a < i; a++) slot += args[a].getSize();
    return slot;
  }

  void loadThis() {
    mv.visitVarInsn(Opcodes.ALOAD, 0);
  }

  void load(Type type, int slot) {
    mv.visitVarInsn(type.getOpcode(Opcodes.ILOAD), slot);
  }

  void store(Type type, int slot) {
    mv.visitVarInsn(type.getOpcode(Opcodes.ISTORE), slot);
  }

  void push(int v) {
    if (v >= -1 && v <= 5) mv.visitInsn(Opcodes.ICONST_0 + v);
    else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) mv.visitIntInsn(Opcodes.BIPUSH, v);
    else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) mv.visitIntInsn(Opcodes.SIPUSH, v);
    else mv.visitLdcInsn(v);
  }

  void push(long v) {
    if (v == 0 || v == 1) mv.visitInsn(Opcodes.LCONST_0 + (int) v);
    else mv.visitLdcInsn(v);
  }

  void push(boolean v) {
    push(v ? 1 : 0);
  }

  /** A number of the element type {@code t} (float, double, or int for an integral value). */
  void push(double v, Type t) {
    if (t.getSort() == Type.FLOAT) mv.visitLdcInsn((float) v);
    else if (t.getSort() == Type.INT) push((int) v);
    else mv.visitLdcInsn(v);
  }

  void pushNull() {
    mv.visitInsn(Opcodes.ACONST_NULL);
  }

  /**
   * A string constant. A class file holds at most 65535 bytes of modified UTF-8 per constant, so a longer string
   * (a big model's description) is pushed in chunks joined with {@code String.concat} when the class loads.
   */
  void push(String s) {
    int chunk = MAX_CONSTANT_CHARS;
    mv.visitLdcInsn(s.length() <= chunk ? s : s.substring(0, chunk));
    for (int from = chunk; from < s.length(); from += chunk) {
      mv.visitLdcInsn(s.substring(from, Math.min(s.length(), from + chunk)));
      invokeVirtual("java/lang/String", "concat", "(Ljava/lang/String;)Ljava/lang/String;");
    }
  }

  /** Characters per string constant: at most 3 bytes each in modified UTF-8, so a chunk stays under 65535 bytes. */
  static final int MAX_CONSTANT_CHARS = 65535 / 3;

  void arrayLoad(Type element) {
    mv.visitInsn(element.getOpcode(Opcodes.IALOAD));
  }

  void arrayStore(Type element) {
    mv.visitInsn(element.getOpcode(Opcodes.IASTORE));
  }

  /** An arithmetic instruction (IADD, IMUL, ISUB, IDIV, INEG in their int form) for type t. */
  void math(int intOpcode, Type t) {
    mv.visitInsn(t.getOpcode(intOpcode));
  }

  void dup(Type t) {
    mv.visitInsn(t.getSize() == 2 ? Opcodes.DUP2 : Opcodes.DUP);
  }

  /** Converts between float and double (no-op when equal). */
  void cast(Type from, Type to) {
    if (from.equals(to)) return;
    if (from.getSort() == Type.FLOAT && to.getSort() == Type.DOUBLE) mv.visitInsn(Opcodes.F2D);
    else if (from.getSort() == Type.DOUBLE && to.getSort() == Type.FLOAT) mv.visitInsn(Opcodes.D2F);
    else if (from.getSort() == Type.INT && to.getSort() == Type.FLOAT) mv.visitInsn(Opcodes.I2F);
    else if (from.getSort() == Type.INT && to.getSort() == Type.DOUBLE) mv.visitInsn(Opcodes.I2D);
    else if (from.getSort() == Type.DOUBLE && to.getSort() == Type.INT) mv.visitInsn(Opcodes.D2I);
    else throw new IllegalArgumentException("no cast from " + from + " to " + to);
  }

  void checkCast(Type t) {
    mv.visitTypeInsn(Opcodes.CHECKCAST, t.getInternalName());
  }

  /** {@code new owner} (uninitialized; call its constructor next). */
  void newObject(String owner) {
    mv.visitTypeInsn(Opcodes.NEW, owner);
  }

  void getField(String owner, String name, Type type) {
    mv.visitFieldInsn(Opcodes.GETFIELD, owner, name, type.getDescriptor());
  }

  void putField(String owner, String name, Type type) {
    mv.visitFieldInsn(Opcodes.PUTFIELD, owner, name, type.getDescriptor());
  }

  /** {@code if (this.field) { body }} for a boolean field. */
  void ifField(String owner, String field, Runnable body) {
    loadThis();
    getField(owner, field, Type.BOOLEAN_TYPE);
    Label skip = new Label();
    mv.visitJumpInsn(Opcodes.IFEQ, skip);
    body.run();
    mv.visitLabel(skip);
  }

  void invokeStatic(Class<?> owner, String name, String descriptor) {
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, Type.getInternalName(owner), name, descriptor, false);
  }

  void invokeStatic(String owner, String name, String descriptor) {
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, owner, name, descriptor, false);
  }

  void invokeVirtual(String owner, String name, String descriptor) {
    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, owner, name, descriptor, false);
  }

  void invokeSpecial(String owner, String name, String descriptor) {
    mv.visitMethodInsn(Opcodes.INVOKESPECIAL, owner, name, descriptor, false);
  }

  /** {@code for (int i = 0; i < n; i++) body(i)} with n in local {@code limit}; the body gets i's slot. */
  void countedLoop(int limit, java.util.function.IntConsumer body) {
    int i = newLocal(Type.INT_TYPE);
    push(0);
    store(Type.INT_TYPE, i);
    loopTo(i, limit, body);
  }

  /** {@code for (int i = from; i < to; i++) body(i)} with from and to in locals; the body gets i's slot. */
  void rangeLoop(int from, int to, java.util.function.IntConsumer body) {
    int i = newLocal(Type.INT_TYPE);
    load(Type.INT_TYPE, from);
    store(Type.INT_TYPE, i);
    loopTo(i, to, body);
  }

  /** {@code while (i < limit) { body(i); i++; }}, i and limit in locals. */
  private void loopTo(int i, int limit, java.util.function.IntConsumer body) {
    Label test = new Label();
    Label done = new Label();
    mv.visitLabel(test);
    load(Type.INT_TYPE, i);
    load(Type.INT_TYPE, limit);
    mv.visitJumpInsn(Opcodes.IF_ICMPGE, done);
    body.accept(i);
    mv.visitIincInsn(i, 1);
    mv.visitJumpInsn(Opcodes.GOTO, test);
    mv.visitLabel(done);
  }

  void returnValue(Type t) {
    mv.visitInsn(t.getOpcode(Opcodes.IRETURN));
  }

  void returnVoid() {
    mv.visitInsn(Opcodes.RETURN);
  }

  void end() {
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }
}
