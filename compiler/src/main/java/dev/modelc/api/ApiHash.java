package dev.modelc.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * A stable hash of what Java code compiled against a class can see: the class's access, superclass and interfaces,
 * and the name, descriptor, generic signature and access (public, protected, static, final, abstract, varargs) of
 * every public or protected field and method, sorted. Method bodies, private members, constant pool order and debug
 * information do not count, so recompiling an unchanged model gives the same hash, and renaming a parameter (its
 * getter) or changing a shape's symbolic sizes (the typed methods' arguments) gives another.
 *
 * <p>Build tools compare the hashes of two versions of a class to decide whether the Java code that may call it must
 * be recompiled.
 */
public final class ApiHash {
  private ApiHash() {}

  private static final int VISIBLE = Opcodes.ACC_PUBLIC | Opcodes.ACC_PROTECTED;
  private static final int KEPT = VISIBLE | Opcodes.ACC_STATIC | Opcodes.ACC_FINAL | Opcodes.ACC_ABSTRACT
      | Opcodes.ACC_VARARGS | Opcodes.ACC_INTERFACE | Opcodes.ACC_ENUM | Opcodes.ACC_ANNOTATION;

  /** The hash of a class file's public API, 32 hex digits. */
  public static String of(byte[] classFile) {
    List<String> lines = members(classFile);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String line : lines) {
        sha.update(line.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The lines the hash is taken of: the class line, then one per visible member, sorted; for tests and debugging. */
  public static List<String> members(byte[] classFile) {
    List<String> head = new ArrayList<>();
    List<String> members = new ArrayList<>();
    new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
        head.add("class " + (access & KEPT) + " " + name + " " + signature + " extends " + superName
            + " implements " + String.join(",", interfaces == null ? new String[0] : interfaces));
      }

      @Override
      public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
        if (visible(access)) {
          members.add("field " + (access & KEPT) + " " + name + " " + descriptor + " " + signature
              + ((access & Opcodes.ACC_STATIC) != 0 && value != null ? " = " + value : ""));
        }
        return null;
      }

      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
          String[] exceptions) {
        if (visible(access)) {
          members.add("method " + (access & KEPT) + " " + name + descriptor + " " + signature);
        }
        return null;
      }
    }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    members.sort(null);
    head.addAll(members);
    return head;
  }

  private static boolean visible(int access) {
    return (access & VISIBLE) != 0 && (access & Opcodes.ACC_SYNTHETIC) == 0;
  }
}
