package dev.modelc.runtime.kernels;

/** Array-length checks for {@link Convolution}, naming the tensor and its expected shape; lengths of -1 mean null. */
final class Conv2dChecks {

    private Conv2dChecks() {
    }

    static void forward(Conv2dShape s, int x, int w, int bias, int y) {
        input(s, "input x", x);
        weight(s, "weight", w);
        if (bias != -2 && bias < s.outChannels()) {
            need("bias", "[" + s.outChannels() + "]", s.outChannels(), bias);
        }
        output(s, "output y", y);
    }

    static void backwardInput(Conv2dShape s, int dy, int w, int dx) {
        output(s, "output gradient dy", dy);
        weight(s, "weight", w);
        input(s, "input gradient dx", dx);
    }

    static void backwardWeight(Conv2dShape s, int x, int dy, int dw) {
        input(s, "input x", x);
        output(s, "output gradient dy", dy);
        weight(s, "weight gradient dw", dw);
    }

    static void backwardBias(Conv2dShape s, int dy, int db) {
        output(s, "output gradient dy", dy);
        if (db < s.outChannels()) {
            need("bias gradient db", "[" + s.outChannels() + "]", s.outChannels(), db);
        }
    }

    private static void input(Conv2dShape s, String name, int length) {
        if (length < 0 || length < (long) s.batch() * s.imageSize()) {
            need(name, "[" + s.batch() + ", " + s.inChannels() + ", " + s.height() + ", " + s.width() + "]",
                    (long) s.batch() * s.imageSize(), length);
        }
    }

    private static void output(Conv2dShape s, String name, int length) {
        if (length < 0 || length < (long) s.batch() * s.outImageSize()) {
            need(name, "[" + s.batch() + ", " + s.outChannels() + ", " + s.outHeight() + ", " + s.outWidth() + "]",
                    (long) s.batch() * s.outImageSize(), length);
        }
    }

    private static void weight(Conv2dShape s, String name, int length) {
        if (length < 0 || length < s.weightSize()) {
            need(name, "[" + s.outChannels() + ", " + s.inChannels() + ", " + s.kernelHeight() + ", "
                    + s.kernelWidth() + "]", s.weightSize(), length);
        }
    }

    private static void need(String name, String shape, long size, int length) {
        if (length == -1) {
            throw new IllegalArgumentException("conv2d: " + name + " " + shape + " is null");
        }
        if (length < size) {
            throw new IllegalArgumentException("conv2d: " + name + " " + shape + " needs " + size
                    + " elements but its array has length " + length);
        }
    }
}
