package dev.modelc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * A class the JVM rejects fails where it is defined, as an {@link InvalidClassException} naming the model, which the
 * command line reports as an internal error (exit 3) instead of the JVM's stack trace.
 */
class InvalidClassTest {
  /** A class whose method returns an int as a reference: well formed, but it does not verify. */
  private static byte[] unverifiable() {
    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "gen/M", null, "java/lang/Object", null);
    MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "f", "()Ljava/lang/Object;", null, null);
    mv.visitCode();
    mv.visitInsn(Opcodes.ICONST_0);
    mv.visitInsn(Opcodes.ARETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
    cw.visitEnd();
    return cw.toByteArray();
  }

  @Test
  void aClassThatDoesNotVerifyFailsWhereItIsDefined() {
    InvalidClassException e = assertThrows(InvalidClassException.class,
        () -> CompiledClass.define("M", "gen.M", unverifiable()));
    assertInstanceOf(VerifyError.class, e.getCause());
    assertTrue(e.toString().startsWith("the class generated for model M (gen.M) is invalid: the JVM rejects it with "
        + "java.lang.VerifyError: "), e.toString());
    assertEquals(-1, e.toString().indexOf('\n'), "one line: " + e);
  }

  @Test
  void aMalformedClassFileFailsWhereItIsDefined() {
    byte[] bytes = unverifiable();
    InvalidClassException e = assertThrows(InvalidClassException.class,
        () -> new CompiledClass("gen.M", Arrays.copyOf(bytes, bytes.length / 2), null).newInstance());
    assertInstanceOf(ClassFormatError.class, e.getCause());
    assertTrue(e.getMessage().startsWith("the class generated for model M (gen.M) is invalid"), e.getMessage());
  }
}
