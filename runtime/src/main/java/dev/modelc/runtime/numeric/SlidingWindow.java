package dev.modelc.runtime.numeric;

/**
 * The sliding window of conv2d and the 2-D pools: kernel height/width, stride and zero (or, for max pooling,
 * -infinity) padding per side. Output size per dimension is {@code (in + 2 * pad - kernel) / stride + 1} (floor).
 */
public record SlidingWindow(int kh, int kw, int sh, int sw, int ph, int pw) {

    public SlidingWindow {
        if (kh <= 0 || kw <= 0) {
            throw new IllegalArgumentException("kernel size should be greater than zero, but got kh: " + kh + " kw: "
                    + kw);
        }
        if (sh <= 0 || sw <= 0) {
            throw new IllegalArgumentException("stride should be greater than zero, but got sh: " + sh + " sw: " + sw);
        }
        if (ph < 0 || pw < 0) {
            throw new IllegalArgumentException("negative padding is not supported");
        }
    }

    /** A square window. */
    public static SlidingWindow square(int kernel, int stride, int padding) {
        return new SlidingWindow(kernel, kernel, stride, stride, padding, padding);
    }

    public int outH(int h) {
        return (h + 2 * ph - kh) / sh + 1;
    }

    public int outW(int w) {
        return (w + 2 * pw - kw) / sw + 1;
    }

    /** Fails, as PyTorch does, when the padded input is smaller than the kernel. */
    void checkFits(int h, int w) {
        if (h + 2 * ph < kh || w + 2 * pw < kw) {
            throw new IllegalArgumentException("Calculated padded input size per channel: (" + (h + 2 * ph) + " x "
                    + (w + 2 * pw) + "). Kernel size: (" + kh + " x " + kw + "). Kernel size can't be greater than"
                    + " actual input size");
        }
    }
}
