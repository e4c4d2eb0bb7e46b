package dev.modelc.runtime.kernels;

/** Argument checks shared by the matrix kernels, with messages that name the operand and the sizes. */
final class GemmChecks {

    private GemmChecks() {
    }

    static void check(int m, int n, int k, boolean transA, boolean transB,
                      int aLength, int aOff, int bLength, int bOff, int cLength, int cOff, Workspace ws) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("matmul: sizes must not be negative, got m=" + m + " n=" + n
                    + " k=" + k);
        }
        if (ws == null) {
            throw new IllegalArgumentException("matmul: the workspace is null");
        }
        if (bad(aLength, aOff, (long) m * k) || bad(bLength, bOff, (long) k * n) || bad(cLength, cOff, (long) m * n)) {
            // Messages are built only here: the checks run on every call, which must not allocate.
            operand("A", transA ? "[k=" + k + ", m=" + m + "]" : "[m=" + m + ", k=" + k + "]",
                    (long) m * k, aLength, aOff);
            operand("B", transB ? "[n=" + n + ", k=" + k + "]" : "[k=" + k + ", n=" + n + "]",
                    (long) k * n, bLength, bOff);
            operand("C", "[m=" + m + ", n=" + n + "]", (long) m * n, cLength, cOff);
        }
    }

    /** Whether an operand of {@code size} elements from {@code offset} is missing or does not fit its array. */
    private static boolean bad(int length, int offset, long size) {
        return length < 0 || offset < 0 || offset + size > length;
    }

    static void operand(String name, String shape, long size, int length, int offset) {
        if (length < 0) {
            throw new IllegalArgumentException("matmul: operand " + name + " " + shape + " is null");
        }
        if (offset < 0 || offset + size > length) {
            throw new IllegalArgumentException("matmul: operand " + name + " " + shape + " needs " + size
                    + " elements from offset " + offset + " but its array has length " + length);
        }
    }
}
