package dev.modelc.runtime.api;

import dev.modelc.runtime.kernels.Conv2dShape;
import java.util.Arrays;

/**
 * The geometry of each convolution of a {@link CompiledModel} (one slot per conv2d op), made again only when the
 * batch size changes, so that a pass at a steady batch size allocates nothing.
 */
final class ConvShapeCache {
    private Conv2dShape[] shapes = new Conv2dShape[4];

    Conv2dShape get(int slot, int batch, int cin, int h, int w, int cout, int kh, int kw, int sh, int sw, int ph,
                    int pw) {
        if (slot >= shapes.length) {
            shapes = Arrays.copyOf(shapes, slot + 4);
        }
        Conv2dShape s = shapes[slot];
        if (s == null || s.batch() != batch) {
            s = new Conv2dShape(batch, cin, h, w, cout, kh, kw, sh, sw, ph, pw);
            shapes[slot] = s;
        }
        return s;
    }
}
