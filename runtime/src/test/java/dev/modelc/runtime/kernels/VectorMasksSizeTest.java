package dev.modelc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The loops of {@code VectorMasks} stay larger than C2 inlines into a hot caller ({@code FreqInlineSize}, 325 bytes
 * of bytecode by default), so that each is compiled on its own and not inside a generated class's train step, where
 * its compare and blend ran through the Vector API's Java fallback on JDK 17 (the class comment). Read from the class
 * file: the length of each method's {@code Code} attribute.
 */
class VectorMasksSizeTest {
  private static final int FREQ_INLINE_SIZE = 325;

  @Test
  void everyLoopIsLargerThanC2InlinesIntoAHotCaller() throws IOException {
    Map<String, Integer> sizes = codeLengths("VectorMasks");
    for (String loop : new String[] {"mulGreater([F[FF[FII)V", "mulGreater([D[DD[DII)V",
        "zeroWhereEqual([F[FF[FII)V", "zeroWhereEqual([D[DD[DII)V", "scaleUnlessGreater([F[FFF[FII)V",
        "scaleUnlessGreater([D[DDD[DII)V"}) {
      Integer size = sizes.get(loop);
      assertNotNull(size, loop + " in " + sizes.keySet());
      assertTrue(size > FREQ_INLINE_SIZE, loop + " is " + size + " bytes of bytecode");
    }
  }

  @Test
  void theReaderSeesSmallMethodsAsSmall() throws IOException {
    // JavaMasks' plain loops are a few dozen bytes: the reader measures, it does not just find large numbers
    Map<String, Integer> sizes = codeLengths("JavaMasks");
    int size = sizes.get("zeroWhereEqual([F[FF[FII)V");
    assertTrue(size > 10 && size < 100, "JavaMasks.zeroWhereEqual is " + size + " bytes");
  }

  /** Method name and descriptor to the length of its bytecode, from the class file of {@code simpleName}. */
  private static Map<String, Integer> codeLengths(String simpleName) throws IOException {
    try (InputStream in = VectorMasksSizeTest.class.getResourceAsStream(simpleName + ".class")) {
      assertNotNull(in, simpleName + ".class on the test class path");
      DataInputStream data = new DataInputStream(in);
      assertEquals(0xCAFEBABE, data.readInt());
      data.readUnsignedShort();
      data.readUnsignedShort();
      int count = data.readUnsignedShort();
      String[] utf8 = new String[count];
      for (int i = 1; i < count; i++) {
        int tag = data.readUnsignedByte();
        switch (tag) {
          case 1 -> utf8[i] = data.readUTF();
          case 3, 4, 9, 10, 11, 12, 17, 18 -> data.skipBytes(4);
          case 5, 6 -> {
            data.skipBytes(8);
            i++;
          }
          case 7, 8, 16, 19, 20 -> data.skipBytes(2);
          case 15 -> data.skipBytes(3);
          default -> throw new IOException("constant pool tag " + tag);
        }
      }
      data.skipBytes(6);
      data.skipBytes(2 * data.readUnsignedShort());
      int fields = data.readUnsignedShort();
      for (int f = 0; f < fields; f++) {
        data.skipBytes(6);
        skipAttributes(data);
      }
      Map<String, Integer> sizes = new HashMap<>();
      int methods = data.readUnsignedShort();
      for (int m = 0; m < methods; m++) {
        data.skipBytes(2);
        String name = utf8[data.readUnsignedShort()] + utf8[data.readUnsignedShort()];
        int attributes = data.readUnsignedShort();
        for (int a = 0; a < attributes; a++) {
          String attribute = utf8[data.readUnsignedShort()];
          int length = data.readInt();
          if (attribute.equals("Code")) {
            data.skipBytes(4);
            int code = data.readInt();
            sizes.put(name, code);
            data.skipBytes(length - 8);
          } else {
            data.skipBytes(length);
          }
        }
      }
      return sizes;
    }
  }

  private static void skipAttributes(DataInputStream data) throws IOException {
    int attributes = data.readUnsignedShort();
    for (int a = 0; a < attributes; a++) {
      data.skipBytes(2);
      data.skipBytes(data.readInt());
    }
  }
}
