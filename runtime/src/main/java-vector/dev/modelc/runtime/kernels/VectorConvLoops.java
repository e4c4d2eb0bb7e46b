package dev.modelc.runtime.kernels;

import dev.modelc.runtime.kernels.Workspace.Slot;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the f32 loops of {@link JavaConvLoops} (the f64 ones are inherited). Vectors run along the
 * wide positions q and read the padded planes straight at each kernel element's shift, so nothing is copied:
 * <ul>
 *   <li>correlate: a tile of three output channels (two with 256-bit vectors, {@link #WIDE}) by four vectors of
 *       positions stays in registers while the kernel elements go by (four loads and three broadcasts per twelve
 *       fused multiply-adds);</li>
 *   <li>weight gradient: a tile of three output channels by four kernel elements (three with 256-bit vectors)
 *       keeps twelve (nine) vector sums over the positions of a band (seven loads per twelve multiply-adds, six
 *       per nine); each band adds them to per-lane sums in the workspace, which are reduced across lanes once, at
 *       the end.</li>
 * </ul>
 * Loops run to a whole number of vectors: {@link DirectConv} rounds rows up and pads the planes with zeros. As in
 * {@link VectorSgemm}, vectors are never reassigned in branches or passed to helpers, and the loops that carry
 * them are not nested (each of these boxes the vectors on JDK 17, which allocates and runs 20 times slower).
 */
final class VectorConvLoops extends JavaConvLoops {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final FloatVector ZERO = FloatVector.zero(S);
    /**
     * Whether vectors are 512 bits wide. Correlation tiles then take three output channels (12 accumulators, 17
     * vectors live of AVX-512's 32 registers); with 256-bit vectors (AVX2's 16 registers) two (8 accumulators, 13
     * live): at three, C2 keeps two accumulators on the stack and loads and stores them every step, and the
     * two-channel tile ran the CNN's first convolution 1.4-1.6 times as fast. The weight-gradient tile keeps three
     * channels and takes four kernel elements with AVX-512, three on 256-bit vectors ({@link #P}; three by four
     * spilled there too, and two channels by four measured slower; docs/kernels.md).
     */
    static final boolean WIDE = S.vectorBitSize() >= 512;
    /** Kernel elements per weight-gradient tile: four with AVX-512, three on 256-bit vectors (13 vectors live). */
    private static final int P = WIDE ? 4 : 3;

    /** Whether rows rounded to {@link DirectConv#ROUND} hold the four vectors a correlation tile writes. */
    static boolean fits() {
        return DirectConv.ROUND % (4 * L) == 0;
    }

    /** Every stride-1 forward pass: the loops read the padded image in place, without copies. */
    @Override
    boolean suitsForward(Conv2dShape s) {
        return DirectConv.applies(s);
    }

    /** Every stride-1 input gradient, likewise. */
    @Override
    boolean suitsInputGradient(Conv2dShape s) {
        return DirectConv.applies(s);
    }

    /** Stride-1 weight gradients short of the sizes where the unfolded product is thick enough (64 x 576 x 64
     *  per image measured faster unfolded; 32 x 288 x 196 equal). */
    @Override
    boolean suitsWeightGradient(Conv2dShape s) {
        return DirectConv.applies(s) && s.outChannels() * s.patchSize() < 16384;
    }

    /**
     * {@link Convolution#allFinite} in vectors: each lane's sum of {@code x * 0} stays zero unless one of its values
     * is infinite or NaN, so the answer does not depend on the order the lanes are added in.
     */
    @Override
    boolean allFinite(float[] a, int n) {
        FloatVector p0 = FloatVector.zero(S);
        FloatVector p1 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            p0 = p0.add(FloatVector.fromArray(S, a, i).mul(ZERO));
            p1 = p1.add(FloatVector.fromArray(S, a, i + L).mul(ZERO));
        }
        float tail = 0f;
        for (; i < n; i++) {
            tail += a[i] * 0f;
        }
        return p0.add(p1).reduceLanes(VectorOperators.ADD) + tail == 0f;
    }

    @Override
    void correlate(Workspace ws, int channels, int plane, int wp, int kh, int kw, float[] src, int srcOff,
                   int length, float[] w, int outC, float[] bias, float[][] out) {
        int patch = channels * kh * kw;
        int o = 0;
        for (; WIDE && o + 3 <= outC; o += 3) {
            rows3(plane, wp, kh, kw, src, srcOff, length, w, o * patch, patch,
                    bias == null ? 0f : bias[o], bias == null ? 0f : bias[o + 1], bias == null ? 0f : bias[o + 2],
                    out[o], out[o + 1], out[o + 2]);
        }
        for (; !WIDE && o + 2 <= outC; o += 2) {
            rows2(plane, wp, kh, kw, src, srcOff, length, w, o * patch, patch,
                    bias == null ? 0f : bias[o], bias == null ? 0f : bias[o + 1], out[o], out[o + 1]);
        }
        for (; o < outC; o++) {
            rows1(plane, wp, kh, kw, src, srcOff, length, w, o * patch, patch, bias == null ? 0f : bias[o], out[o]);
        }
    }

    /** Rows o..o+2 of the correlation. The kernel elements go by in one loop that steps the shift at the ends of
     *  kernel rows and channels. */
    private static void rows3(int plane, int wp, int kh, int kw, float[] src, int srcOff, int length,
                              float[] w, int wOff, int patch, float b0, float b1, float b2,
                              float[] r0, float[] r1, float[] r2) {
        for (int q = 0; q < length; q += 4 * L) {
            FloatVector c00 = FloatVector.broadcast(S, b0), c01 = c00, c02 = c00, c03 = c00;
            FloatVector c10 = FloatVector.broadcast(S, b1), c11 = c10, c12 = c10, c13 = c10;
            FloatVector c20 = FloatVector.broadcast(S, b2), c21 = c20, c22 = c20, c23 = c20;
            int at = srcOff + q, kj = 0, ki = 0;
            for (int p = wOff; p < wOff + patch; p++) {
                FloatVector x0 = FloatVector.fromArray(S, src, at);
                FloatVector x1 = FloatVector.fromArray(S, src, at + L);
                FloatVector x2 = FloatVector.fromArray(S, src, at + 2 * L);
                FloatVector x3 = FloatVector.fromArray(S, src, at + 3 * L);
                FloatVector v = FloatVector.broadcast(S, w[p]);
                c00 = x0.fma(v, c00);
                c01 = x1.fma(v, c01);
                c02 = x2.fma(v, c02);
                c03 = x3.fma(v, c03);
                v = FloatVector.broadcast(S, w[p + patch]);
                c10 = x0.fma(v, c10);
                c11 = x1.fma(v, c11);
                c12 = x2.fma(v, c12);
                c13 = x3.fma(v, c13);
                v = FloatVector.broadcast(S, w[p + 2 * patch]);
                c20 = x0.fma(v, c20);
                c21 = x1.fma(v, c21);
                c22 = x2.fma(v, c22);
                c23 = x3.fma(v, c23);
                if (++kj < kw) {
                    at++;
                } else if (++ki < kh) {
                    kj = 0;
                    at += wp - kw + 1;
                } else {
                    kj = 0;
                    ki = 0;
                    at += plane - (kh - 1) * wp - kw + 1;
                }
            }
            c00.intoArray(r0, q);
            c01.intoArray(r0, q + L);
            c02.intoArray(r0, q + 2 * L);
            c03.intoArray(r0, q + 3 * L);
            c10.intoArray(r1, q);
            c11.intoArray(r1, q + L);
            c12.intoArray(r1, q + 2 * L);
            c13.intoArray(r1, q + 3 * L);
            c20.intoArray(r2, q);
            c21.intoArray(r2, q + L);
            c22.intoArray(r2, q + 2 * L);
            c23.intoArray(r2, q + 3 * L);
        }
    }

    /** Rows o and o+1 of the correlation, as {@link #rows3} (the 256-bit tile). */
    private static void rows2(int plane, int wp, int kh, int kw, float[] src, int srcOff, int length,
                              float[] w, int wOff, int patch, float b0, float b1, float[] r0, float[] r1) {
        for (int q = 0; q < length; q += 4 * L) {
            FloatVector c00 = FloatVector.broadcast(S, b0), c01 = c00, c02 = c00, c03 = c00;
            FloatVector c10 = FloatVector.broadcast(S, b1), c11 = c10, c12 = c10, c13 = c10;
            int at = srcOff + q, kj = 0, ki = 0;
            for (int p = wOff; p < wOff + patch; p++) {
                FloatVector x0 = FloatVector.fromArray(S, src, at);
                FloatVector x1 = FloatVector.fromArray(S, src, at + L);
                FloatVector x2 = FloatVector.fromArray(S, src, at + 2 * L);
                FloatVector x3 = FloatVector.fromArray(S, src, at + 3 * L);
                FloatVector v = FloatVector.broadcast(S, w[p]);
                c00 = x0.fma(v, c00);
                c01 = x1.fma(v, c01);
                c02 = x2.fma(v, c02);
                c03 = x3.fma(v, c03);
                v = FloatVector.broadcast(S, w[p + patch]);
                c10 = x0.fma(v, c10);
                c11 = x1.fma(v, c11);
                c12 = x2.fma(v, c12);
                c13 = x3.fma(v, c13);
                if (++kj < kw) {
                    at++;
                } else if (++ki < kh) {
                    kj = 0;
                    at += wp - kw + 1;
                } else {
                    kj = 0;
                    ki = 0;
                    at += plane - (kh - 1) * wp - kw + 1;
                }
            }
            c00.intoArray(r0, q);
            c01.intoArray(r0, q + L);
            c02.intoArray(r0, q + 2 * L);
            c03.intoArray(r0, q + 3 * L);
            c10.intoArray(r1, q);
            c11.intoArray(r1, q + L);
            c12.intoArray(r1, q + 2 * L);
            c13.intoArray(r1, q + 3 * L);
        }
    }

    private static void rows1(int plane, int wp, int kh, int kw, float[] src, int srcOff, int length,
                              float[] w, int wOff, int patch, float b0, float[] r0) {
        for (int q = 0; q < length; q += 4 * L) {
            FloatVector c00 = FloatVector.broadcast(S, b0), c01 = c00, c02 = c00, c03 = c00;
            int at = srcOff + q, kj = 0, ki = 0;
            for (int p = wOff; p < wOff + patch; p++) {
                FloatVector v = FloatVector.broadcast(S, w[p]);
                c00 = FloatVector.fromArray(S, src, at).fma(v, c00);
                c01 = FloatVector.fromArray(S, src, at + L).fma(v, c01);
                c02 = FloatVector.fromArray(S, src, at + 2 * L).fma(v, c02);
                c03 = FloatVector.fromArray(S, src, at + 3 * L).fma(v, c03);
                if (++kj < kw) {
                    at++;
                } else if (++ki < kh) {
                    kj = 0;
                    at += wp - kw + 1;
                } else {
                    kj = 0;
                    ki = 0;
                    at += plane - (kh - 1) * wp - kw + 1;
                }
            }
            c00.intoArray(r0, q);
            c01.intoArray(r0, q + L);
            c02.intoArray(r0, q + 2 * L);
            c03.intoArray(r0, q + 3 * L);
        }
    }

    @Override
    void weightGradientStart(Workspace ws, int outC, int patch, int maxLength) {
        int size = outC * groups(patch) * L;
        java.util.Arrays.fill(ws.floats(Slot.SUMS, size), 0, size, 0f);
    }

    @Override
    void weightGradientAdd(Workspace ws, int channels, int plane, int wp, int kh, int kw, float[] src, int srcOff,
                           int length, float[][] dy, int outC) {
        int patch = channels * kh * kw, groups = groups(patch);
        float[] sums = ws.floats(Slot.SUMS, outC * groups * L);
        for (int p = 0; p < patch; p += P) {
            // Kernel elements past the last are read at the first one's shift; their sums are never used.
            int s0 = srcOff + shift(p, patch, plane, wp, kh, kw);
            int s1 = srcOff + shift(p + 1, patch, plane, wp, kh, kw);
            int s2 = srcOff + shift(p + 2, patch, plane, wp, kh, kw);
            int s3 = WIDE ? srcOff + shift(p + 3, patch, plane, wp, kh, kw) : 0; // a fourth element only with P = 4
            int o = 0;
            for (; WIDE && o + 3 <= outC; o += 3) {
                tile3(src, s0, s1, s2, s3, length, dy[o], dy[o + 1], dy[o + 2], sums, (o * groups + p) * L, groups * L);
            }
            for (; WIDE && o < outC; o++) {
                tile1(src, s0, s1, s2, s3, length, dy[o], sums, (o * groups + p) * L);
            }
            for (; !WIDE && o + 3 <= outC; o += 3) {
                tile3by3(src, s0, s1, s2, length, dy[o], dy[o + 1], dy[o + 2], sums, (o * groups + p) * L, groups * L);
            }
            for (; !WIDE && o < outC; o++) {
                tile1by3(src, s0, s1, s2, length, dy[o], sums, (o * groups + p) * L);
            }
        }
    }

    @Override
    void weightGradientFinish(Workspace ws, int outC, int patch, int maxLength, float[] dw, boolean accumulate) {
        int groups = groups(patch);
        float[] sums = ws.floats(Slot.SUMS, outC * groups * L);
        for (int o = 0; o < outC; o++) {
            for (int p = 0; p < patch; p++) {
                float sum = 0;
                for (int l = (o * groups + p) * L, end = l + L; l < end; l++) {
                    sum += sums[l];         // in lane order: reduceLanes(ADD) leaves the order open
                }
                int at = o * patch + p;
                dw[at] = accumulate ? dw[at] + sum : sum;
            }
        }
    }

    private static void tile3(float[] src, int s0, int s1, int s2, int s3, int length,
                              float[] d0, float[] d1, float[] d2, float[] sums, int at, int rowStride) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        for (int q = 0; q < length; q += L) {
            FloatVector x0 = FloatVector.fromArray(S, src, s0 + q);
            FloatVector x1 = FloatVector.fromArray(S, src, s1 + q);
            FloatVector x2 = FloatVector.fromArray(S, src, s2 + q);
            FloatVector x3 = FloatVector.fromArray(S, src, s3 + q);
            FloatVector d = FloatVector.fromArray(S, d0, q);
            a00 = x0.fma(d, a00);
            a01 = x1.fma(d, a01);
            a02 = x2.fma(d, a02);
            a03 = x3.fma(d, a03);
            d = FloatVector.fromArray(S, d1, q);
            a10 = x0.fma(d, a10);
            a11 = x1.fma(d, a11);
            a12 = x2.fma(d, a12);
            a13 = x3.fma(d, a13);
            d = FloatVector.fromArray(S, d2, q);
            a20 = x0.fma(d, a20);
            a21 = x1.fma(d, a21);
            a22 = x2.fma(d, a22);
            a23 = x3.fma(d, a23);
        }
        int r1 = at + rowStride, r2 = at + 2 * rowStride;
        FloatVector.fromArray(S, sums, at).add(a00).intoArray(sums, at);
        FloatVector.fromArray(S, sums, at + L).add(a01).intoArray(sums, at + L);
        FloatVector.fromArray(S, sums, at + 2 * L).add(a02).intoArray(sums, at + 2 * L);
        FloatVector.fromArray(S, sums, at + 3 * L).add(a03).intoArray(sums, at + 3 * L);
        FloatVector.fromArray(S, sums, r1).add(a10).intoArray(sums, r1);
        FloatVector.fromArray(S, sums, r1 + L).add(a11).intoArray(sums, r1 + L);
        FloatVector.fromArray(S, sums, r1 + 2 * L).add(a12).intoArray(sums, r1 + 2 * L);
        FloatVector.fromArray(S, sums, r1 + 3 * L).add(a13).intoArray(sums, r1 + 3 * L);
        FloatVector.fromArray(S, sums, r2).add(a20).intoArray(sums, r2);
        FloatVector.fromArray(S, sums, r2 + L).add(a21).intoArray(sums, r2 + L);
        FloatVector.fromArray(S, sums, r2 + 2 * L).add(a22).intoArray(sums, r2 + 2 * L);
        FloatVector.fromArray(S, sums, r2 + 3 * L).add(a23).intoArray(sums, r2 + 3 * L);
    }

    /** Three output channels by three kernel elements, the 256-bit form of {@link #tile3} (13 vectors live). */
    private static void tile3by3(float[] src, int s0, int s1, int s2, int length,
                                 float[] d0, float[] d1, float[] d2, float[] sums, int at, int rowStride) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00;
        for (int q = 0; q < length; q += L) {
            FloatVector x0 = FloatVector.fromArray(S, src, s0 + q);
            FloatVector x1 = FloatVector.fromArray(S, src, s1 + q);
            FloatVector x2 = FloatVector.fromArray(S, src, s2 + q);
            FloatVector d = FloatVector.fromArray(S, d0, q);
            a00 = x0.fma(d, a00);
            a01 = x1.fma(d, a01);
            a02 = x2.fma(d, a02);
            d = FloatVector.fromArray(S, d1, q);
            a10 = x0.fma(d, a10);
            a11 = x1.fma(d, a11);
            a12 = x2.fma(d, a12);
            d = FloatVector.fromArray(S, d2, q);
            a20 = x0.fma(d, a20);
            a21 = x1.fma(d, a21);
            a22 = x2.fma(d, a22);
        }
        int r1 = at + rowStride, r2 = at + 2 * rowStride;
        FloatVector.fromArray(S, sums, at).add(a00).intoArray(sums, at);
        FloatVector.fromArray(S, sums, at + L).add(a01).intoArray(sums, at + L);
        FloatVector.fromArray(S, sums, at + 2 * L).add(a02).intoArray(sums, at + 2 * L);
        FloatVector.fromArray(S, sums, r1).add(a10).intoArray(sums, r1);
        FloatVector.fromArray(S, sums, r1 + L).add(a11).intoArray(sums, r1 + L);
        FloatVector.fromArray(S, sums, r1 + 2 * L).add(a12).intoArray(sums, r1 + 2 * L);
        FloatVector.fromArray(S, sums, r2).add(a20).intoArray(sums, r2);
        FloatVector.fromArray(S, sums, r2 + L).add(a21).intoArray(sums, r2 + L);
        FloatVector.fromArray(S, sums, r2 + 2 * L).add(a22).intoArray(sums, r2 + 2 * L);
    }

    /** One output channel by three kernel elements, the 256-bit form of {@link #tile1}. */
    private static void tile1by3(float[] src, int s0, int s1, int s2, int length, float[] d0, float[] sums, int at) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00;
        for (int q = 0; q < length; q += L) {
            FloatVector d = FloatVector.fromArray(S, d0, q);
            a00 = FloatVector.fromArray(S, src, s0 + q).fma(d, a00);
            a01 = FloatVector.fromArray(S, src, s1 + q).fma(d, a01);
            a02 = FloatVector.fromArray(S, src, s2 + q).fma(d, a02);
        }
        FloatVector.fromArray(S, sums, at).add(a00).intoArray(sums, at);
        FloatVector.fromArray(S, sums, at + L).add(a01).intoArray(sums, at + L);
        FloatVector.fromArray(S, sums, at + 2 * L).add(a02).intoArray(sums, at + 2 * L);
    }

    private static void tile1(float[] src, int s0, int s1, int s2, int s3, int length, float[] d0, float[] sums,
                              int at) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
        for (int q = 0; q < length; q += L) {
            FloatVector d = FloatVector.fromArray(S, d0, q);
            a00 = FloatVector.fromArray(S, src, s0 + q).fma(d, a00);
            a01 = FloatVector.fromArray(S, src, s1 + q).fma(d, a01);
            a02 = FloatVector.fromArray(S, src, s2 + q).fma(d, a02);
            a03 = FloatVector.fromArray(S, src, s3 + q).fma(d, a03);
        }
        FloatVector.fromArray(S, sums, at).add(a00).intoArray(sums, at);
        FloatVector.fromArray(S, sums, at + L).add(a01).intoArray(sums, at + L);
        FloatVector.fromArray(S, sums, at + 2 * L).add(a02).intoArray(sums, at + 2 * L);
        FloatVector.fromArray(S, sums, at + 3 * L).add(a03).intoArray(sums, at + 3 * L);
    }

    /** Kernel elements rounded up to whole tiles. */
    private static int groups(int patch) {
        return (patch + P - 1) / P * P;
    }

    /** Where kernel element p = (c, ki, kj) reads the planes; element 0's place for p past the last. */
    private static int shift(int p, int patch, int plane, int wp, int kh, int kw) {
        if (p >= patch) {
            return 0;
        }
        int c = p / (kh * kw), r = p % (kh * kw);
        return c * plane + r / kw * wp + r % kw;
    }
}
