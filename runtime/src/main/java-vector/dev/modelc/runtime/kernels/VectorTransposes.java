package dev.modelc.runtime.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Square blocks transposed in vector registers, for the matrix products' packing of a B whose columns are the
 * contiguous runs ({@code VectorSgemm}, {@code VectorDgemm}: a Linear layer's input {@code x^T} when the product runs
 * as {@code C^T = W x^T}). A block of one vector's lanes squared is loaded a row per vector, transposed by swapping
 * the off-diagonal halves of ever smaller blocks on the diagonal (four rounds for 16 lanes, three for 8; in each,
 * for each pair of rows, a blend gathers the two halves to swap into one vector, one rearrange by lane index XOR
 * the half's size swaps them, and two blends put them in place), and stored a row per vector, where the scalar
 * pack moves each element on its own. Only 512-bit vectors qualify (16 floats, 8 doubles): each round's shuffles and
 * masks are constants of one shape, and {@code rearrange} of one vector and {@code blend} are single instructions
 * on JDK 17 as on 25 (a rearrange of two vectors is not intrinsified on JDK 17). Pure data movement: the values are
 * the same bits, but for a NaN's payload, which the Vector API's Java fallback (before C2 compiles this) makes
 * canonical.
 *
 * <p>Every vector stays inside {@link #square}: a vector passed to a method C2 does not inline is boxed on JDK 17. The
 * rounds' shuffles and masks are made only when a square is first moved (their holder classes), so that asking
 * {@link #forFloat} runs none of the Vector API's shared code for masks and shuffles.
 */
final class VectorTransposes {

    private static final VectorSpecies<Float> F32 = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> F64 = DoubleVector.SPECIES_PREFERRED;
    private static final boolean F32_SQUARES = F32.vectorBitSize() == 512;
    private static final boolean F64_SQUARES = F64.vectorBitSize() == 512;

    private VectorTransposes() {
    }

    /** Each round's shuffle and mask for 16 float lanes, made when a float square is first moved. */
    private static final class F32Rounds {
        static final VectorShuffle<Float> XOR8 = VectorShuffle.fromOp(F32, i -> i ^ 8);
        static final VectorMask<Float> BIT8 = VectorMask.fromLong(F32, 0xFF00L);
        static final VectorShuffle<Float> XOR4 = VectorShuffle.fromOp(F32, i -> i ^ 4);
        static final VectorMask<Float> BIT4 = VectorMask.fromLong(F32, 0xF0F0L);
        static final VectorShuffle<Float> XOR2 = VectorShuffle.fromOp(F32, i -> i ^ 2);
        static final VectorMask<Float> BIT2 = VectorMask.fromLong(F32, 0xCCCCL);
        static final VectorShuffle<Float> XOR1 = VectorShuffle.fromOp(F32, i -> i ^ 1);
        static final VectorMask<Float> BIT1 = VectorMask.fromLong(F32, 0xAAAAL);
    }

    /** The same for 8 double lanes. */
    private static final class F64Rounds {
        static final VectorShuffle<Double> XOR4 = VectorShuffle.fromOp(F64, i -> i ^ 4);
        static final VectorMask<Double> BIT4 = VectorMask.fromLong(F64, 0xF0L);
        static final VectorShuffle<Double> XOR2 = VectorShuffle.fromOp(F64, i -> i ^ 2);
        static final VectorMask<Double> BIT2 = VectorMask.fromLong(F64, 0xCCL);
        static final VectorShuffle<Double> XOR1 = VectorShuffle.fromOp(F64, i -> i ^ 1);
        static final VectorMask<Double> BIT1 = VectorMask.fromLong(F64, 0xAAL);
    }

    /** Whether {@link #square(float[], int, int, float[], int, int)} runs here, for f32 vectors of {@code lanes}. */
    static boolean forFloat(int lanes) {
        return F32_SQUARES && lanes == F32.length();
    }

    /** Whether {@link #square(double[], int, int, double[], int, int)} runs here, for f64 vectors of {@code lanes}. */
    static boolean forDouble(int lanes) {
        return F64_SQUARES && lanes == F64.length();
    }

    /**
     * The 16 x 16 block of floats whose row r is {@code in[from + r * stride + q]} ({@code q < 16}) stored transposed:
     * row q of the result, {@code in[from + r * stride + q]} for r in order, at {@code out[to + q * outStride]}.
     * Only with {@link #forFloat} true.
     */
    static void square(float[] in, int from, int stride, float[] out, int to, int outStride) {
        FloatVector r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15;
        FloatVector t;
        r0 = FloatVector.fromArray(F32, in, from);
        r1 = FloatVector.fromArray(F32, in, from + 1 * stride);
        r2 = FloatVector.fromArray(F32, in, from + 2 * stride);
        r3 = FloatVector.fromArray(F32, in, from + 3 * stride);
        r4 = FloatVector.fromArray(F32, in, from + 4 * stride);
        r5 = FloatVector.fromArray(F32, in, from + 5 * stride);
        r6 = FloatVector.fromArray(F32, in, from + 6 * stride);
        r7 = FloatVector.fromArray(F32, in, from + 7 * stride);
        r8 = FloatVector.fromArray(F32, in, from + 8 * stride);
        r9 = FloatVector.fromArray(F32, in, from + 9 * stride);
        r10 = FloatVector.fromArray(F32, in, from + 10 * stride);
        r11 = FloatVector.fromArray(F32, in, from + 11 * stride);
        r12 = FloatVector.fromArray(F32, in, from + 12 * stride);
        r13 = FloatVector.fromArray(F32, in, from + 13 * stride);
        r14 = FloatVector.fromArray(F32, in, from + 14 * stride);
        r15 = FloatVector.fromArray(F32, in, from + 15 * stride);
        // swap the off-diagonal 8 x 8 blocks of every 16 x 16 block on the diagonal
        t = r8.blend(r0, F32Rounds.BIT8).rearrange(F32Rounds.XOR8);
        r0 = r0.blend(t, F32Rounds.BIT8);
        r8 = t.blend(r8, F32Rounds.BIT8);
        t = r9.blend(r1, F32Rounds.BIT8).rearrange(F32Rounds.XOR8);
        r1 = r1.blend(t, F32Rounds.BIT8);
        r9 = t.blend(r9, F32Rounds.BIT8);
        t = r10.blend(r2, F32Rounds.BIT8).rearrange(F32Rounds.XOR8);
        r2 = r2.blend(t, F32Rounds.BIT8);
        r10 = t.blend(r10, F32Rounds.BIT8);
        t = r11.blend(r3, F32Rounds.BIT8).rearrange(F32Rounds.XOR8);
        r3 = r3.blend(t, F32Rounds.BIT8);
        r11 = t.blend(r11, F32Rounds.BIT8);
        t = r12.blend(r4, F32Rounds.BIT8).rearrange(F32Rounds.XOR8);
        r4 = r4.blend(t, F32Rounds.BIT8);
        r12 = t.blend(r12, F32Rounds.BIT8);
        t = r13.blend(r5, F32Rounds.BIT8).rearrange(F32Rounds.XOR8);
        r5 = r5.blend(t, F32Rounds.BIT8);
        r13 = t.blend(r13, F32Rounds.BIT8);
        t = r14.blend(r6, F32Rounds.BIT8).rearrange(F32Rounds.XOR8);
        r6 = r6.blend(t, F32Rounds.BIT8);
        r14 = t.blend(r14, F32Rounds.BIT8);
        t = r15.blend(r7, F32Rounds.BIT8).rearrange(F32Rounds.XOR8);
        r7 = r7.blend(t, F32Rounds.BIT8);
        r15 = t.blend(r15, F32Rounds.BIT8);
        // swap the off-diagonal 4 x 4 blocks of every 8 x 8 block on the diagonal
        t = r4.blend(r0, F32Rounds.BIT4).rearrange(F32Rounds.XOR4);
        r0 = r0.blend(t, F32Rounds.BIT4);
        r4 = t.blend(r4, F32Rounds.BIT4);
        t = r5.blend(r1, F32Rounds.BIT4).rearrange(F32Rounds.XOR4);
        r1 = r1.blend(t, F32Rounds.BIT4);
        r5 = t.blend(r5, F32Rounds.BIT4);
        t = r6.blend(r2, F32Rounds.BIT4).rearrange(F32Rounds.XOR4);
        r2 = r2.blend(t, F32Rounds.BIT4);
        r6 = t.blend(r6, F32Rounds.BIT4);
        t = r7.blend(r3, F32Rounds.BIT4).rearrange(F32Rounds.XOR4);
        r3 = r3.blend(t, F32Rounds.BIT4);
        r7 = t.blend(r7, F32Rounds.BIT4);
        t = r12.blend(r8, F32Rounds.BIT4).rearrange(F32Rounds.XOR4);
        r8 = r8.blend(t, F32Rounds.BIT4);
        r12 = t.blend(r12, F32Rounds.BIT4);
        t = r13.blend(r9, F32Rounds.BIT4).rearrange(F32Rounds.XOR4);
        r9 = r9.blend(t, F32Rounds.BIT4);
        r13 = t.blend(r13, F32Rounds.BIT4);
        t = r14.blend(r10, F32Rounds.BIT4).rearrange(F32Rounds.XOR4);
        r10 = r10.blend(t, F32Rounds.BIT4);
        r14 = t.blend(r14, F32Rounds.BIT4);
        t = r15.blend(r11, F32Rounds.BIT4).rearrange(F32Rounds.XOR4);
        r11 = r11.blend(t, F32Rounds.BIT4);
        r15 = t.blend(r15, F32Rounds.BIT4);
        // swap the off-diagonal 2 x 2 blocks of every 4 x 4 block on the diagonal
        t = r2.blend(r0, F32Rounds.BIT2).rearrange(F32Rounds.XOR2);
        r0 = r0.blend(t, F32Rounds.BIT2);
        r2 = t.blend(r2, F32Rounds.BIT2);
        t = r3.blend(r1, F32Rounds.BIT2).rearrange(F32Rounds.XOR2);
        r1 = r1.blend(t, F32Rounds.BIT2);
        r3 = t.blend(r3, F32Rounds.BIT2);
        t = r6.blend(r4, F32Rounds.BIT2).rearrange(F32Rounds.XOR2);
        r4 = r4.blend(t, F32Rounds.BIT2);
        r6 = t.blend(r6, F32Rounds.BIT2);
        t = r7.blend(r5, F32Rounds.BIT2).rearrange(F32Rounds.XOR2);
        r5 = r5.blend(t, F32Rounds.BIT2);
        r7 = t.blend(r7, F32Rounds.BIT2);
        t = r10.blend(r8, F32Rounds.BIT2).rearrange(F32Rounds.XOR2);
        r8 = r8.blend(t, F32Rounds.BIT2);
        r10 = t.blend(r10, F32Rounds.BIT2);
        t = r11.blend(r9, F32Rounds.BIT2).rearrange(F32Rounds.XOR2);
        r9 = r9.blend(t, F32Rounds.BIT2);
        r11 = t.blend(r11, F32Rounds.BIT2);
        t = r14.blend(r12, F32Rounds.BIT2).rearrange(F32Rounds.XOR2);
        r12 = r12.blend(t, F32Rounds.BIT2);
        r14 = t.blend(r14, F32Rounds.BIT2);
        t = r15.blend(r13, F32Rounds.BIT2).rearrange(F32Rounds.XOR2);
        r13 = r13.blend(t, F32Rounds.BIT2);
        r15 = t.blend(r15, F32Rounds.BIT2);
        // swap the off-diagonal 1 x 1 blocks of every 2 x 2 block on the diagonal
        t = r1.blend(r0, F32Rounds.BIT1).rearrange(F32Rounds.XOR1);
        r0 = r0.blend(t, F32Rounds.BIT1);
        r1 = t.blend(r1, F32Rounds.BIT1);
        t = r3.blend(r2, F32Rounds.BIT1).rearrange(F32Rounds.XOR1);
        r2 = r2.blend(t, F32Rounds.BIT1);
        r3 = t.blend(r3, F32Rounds.BIT1);
        t = r5.blend(r4, F32Rounds.BIT1).rearrange(F32Rounds.XOR1);
        r4 = r4.blend(t, F32Rounds.BIT1);
        r5 = t.blend(r5, F32Rounds.BIT1);
        t = r7.blend(r6, F32Rounds.BIT1).rearrange(F32Rounds.XOR1);
        r6 = r6.blend(t, F32Rounds.BIT1);
        r7 = t.blend(r7, F32Rounds.BIT1);
        t = r9.blend(r8, F32Rounds.BIT1).rearrange(F32Rounds.XOR1);
        r8 = r8.blend(t, F32Rounds.BIT1);
        r9 = t.blend(r9, F32Rounds.BIT1);
        t = r11.blend(r10, F32Rounds.BIT1).rearrange(F32Rounds.XOR1);
        r10 = r10.blend(t, F32Rounds.BIT1);
        r11 = t.blend(r11, F32Rounds.BIT1);
        t = r13.blend(r12, F32Rounds.BIT1).rearrange(F32Rounds.XOR1);
        r12 = r12.blend(t, F32Rounds.BIT1);
        r13 = t.blend(r13, F32Rounds.BIT1);
        t = r15.blend(r14, F32Rounds.BIT1).rearrange(F32Rounds.XOR1);
        r14 = r14.blend(t, F32Rounds.BIT1);
        r15 = t.blend(r15, F32Rounds.BIT1);
        r0.intoArray(out, to);
        r1.intoArray(out, to + 1 * outStride);
        r2.intoArray(out, to + 2 * outStride);
        r3.intoArray(out, to + 3 * outStride);
        r4.intoArray(out, to + 4 * outStride);
        r5.intoArray(out, to + 5 * outStride);
        r6.intoArray(out, to + 6 * outStride);
        r7.intoArray(out, to + 7 * outStride);
        r8.intoArray(out, to + 8 * outStride);
        r9.intoArray(out, to + 9 * outStride);
        r10.intoArray(out, to + 10 * outStride);
        r11.intoArray(out, to + 11 * outStride);
        r12.intoArray(out, to + 12 * outStride);
        r13.intoArray(out, to + 13 * outStride);
        r14.intoArray(out, to + 14 * outStride);
        r15.intoArray(out, to + 15 * outStride);
    }

    /**
     * The 8 x 8 block of doubles whose row r is {@code in[from + r * stride + q]} ({@code q < 8}) stored transposed:
     * row q of the result, {@code in[from + r * stride + q]} for r in order, at {@code out[to + q * outStride]}.
     * Only with {@link #forDouble} true.
     */
    static void square(double[] in, int from, int stride, double[] out, int to, int outStride) {
        DoubleVector r0, r1, r2, r3, r4, r5, r6, r7;
        DoubleVector t;
        r0 = DoubleVector.fromArray(F64, in, from);
        r1 = DoubleVector.fromArray(F64, in, from + 1 * stride);
        r2 = DoubleVector.fromArray(F64, in, from + 2 * stride);
        r3 = DoubleVector.fromArray(F64, in, from + 3 * stride);
        r4 = DoubleVector.fromArray(F64, in, from + 4 * stride);
        r5 = DoubleVector.fromArray(F64, in, from + 5 * stride);
        r6 = DoubleVector.fromArray(F64, in, from + 6 * stride);
        r7 = DoubleVector.fromArray(F64, in, from + 7 * stride);
        // swap the off-diagonal 4 x 4 blocks of every 8 x 8 block on the diagonal
        t = r4.blend(r0, F64Rounds.BIT4).rearrange(F64Rounds.XOR4);
        r0 = r0.blend(t, F64Rounds.BIT4);
        r4 = t.blend(r4, F64Rounds.BIT4);
        t = r5.blend(r1, F64Rounds.BIT4).rearrange(F64Rounds.XOR4);
        r1 = r1.blend(t, F64Rounds.BIT4);
        r5 = t.blend(r5, F64Rounds.BIT4);
        t = r6.blend(r2, F64Rounds.BIT4).rearrange(F64Rounds.XOR4);
        r2 = r2.blend(t, F64Rounds.BIT4);
        r6 = t.blend(r6, F64Rounds.BIT4);
        t = r7.blend(r3, F64Rounds.BIT4).rearrange(F64Rounds.XOR4);
        r3 = r3.blend(t, F64Rounds.BIT4);
        r7 = t.blend(r7, F64Rounds.BIT4);
        // swap the off-diagonal 2 x 2 blocks of every 4 x 4 block on the diagonal
        t = r2.blend(r0, F64Rounds.BIT2).rearrange(F64Rounds.XOR2);
        r0 = r0.blend(t, F64Rounds.BIT2);
        r2 = t.blend(r2, F64Rounds.BIT2);
        t = r3.blend(r1, F64Rounds.BIT2).rearrange(F64Rounds.XOR2);
        r1 = r1.blend(t, F64Rounds.BIT2);
        r3 = t.blend(r3, F64Rounds.BIT2);
        t = r6.blend(r4, F64Rounds.BIT2).rearrange(F64Rounds.XOR2);
        r4 = r4.blend(t, F64Rounds.BIT2);
        r6 = t.blend(r6, F64Rounds.BIT2);
        t = r7.blend(r5, F64Rounds.BIT2).rearrange(F64Rounds.XOR2);
        r5 = r5.blend(t, F64Rounds.BIT2);
        r7 = t.blend(r7, F64Rounds.BIT2);
        // swap the off-diagonal 1 x 1 blocks of every 2 x 2 block on the diagonal
        t = r1.blend(r0, F64Rounds.BIT1).rearrange(F64Rounds.XOR1);
        r0 = r0.blend(t, F64Rounds.BIT1);
        r1 = t.blend(r1, F64Rounds.BIT1);
        t = r3.blend(r2, F64Rounds.BIT1).rearrange(F64Rounds.XOR1);
        r2 = r2.blend(t, F64Rounds.BIT1);
        r3 = t.blend(r3, F64Rounds.BIT1);
        t = r5.blend(r4, F64Rounds.BIT1).rearrange(F64Rounds.XOR1);
        r4 = r4.blend(t, F64Rounds.BIT1);
        r5 = t.blend(r5, F64Rounds.BIT1);
        t = r7.blend(r6, F64Rounds.BIT1).rearrange(F64Rounds.XOR1);
        r6 = r6.blend(t, F64Rounds.BIT1);
        r7 = t.blend(r7, F64Rounds.BIT1);
        r0.intoArray(out, to);
        r1.intoArray(out, to + 1 * outStride);
        r2.intoArray(out, to + 2 * outStride);
        r3.intoArray(out, to + 3 * outStride);
        r4.intoArray(out, to + 4 * outStride);
        r5.intoArray(out, to + 5 * outStride);
        r6.intoArray(out, to + 6 * outStride);
        r7.intoArray(out, to + 7 * outStride);
    }
}
