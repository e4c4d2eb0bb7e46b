package dev.modelc.runtime.kernels;

/**
 * The geometry of one 2-D convolution over NCHW data: input {@code [batch, inChannels, height, width]}, weight
 * {@code [outChannels, inChannels, kernelHeight, kernelWidth]}, output {@code [batch, outChannels, outHeight,
 * outWidth]} with PyTorch's output size {@code (height + 2 * padH - kernelHeight) / strideH + 1}.
 */
public record Conv2dShape(int batch, int inChannels, int height, int width,
                          int outChannels, int kernelHeight, int kernelWidth,
                          int strideH, int strideW, int padH, int padW) {

    public Conv2dShape {
        if (batch < 0 || inChannels < 1 || height < 1 || width < 1 || outChannels < 1 || kernelHeight < 1
                || kernelWidth < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv2d: invalid geometry " + describe(batch, inChannels, height,
                    width, outChannels, kernelHeight, kernelWidth, strideH, strideW, padH, padW)
                    + " (sizes and strides must be positive, padding and batch not negative)");
        }
        if (height + 2 * padH < kernelHeight || width + 2 * padW < kernelWidth) {
            throw new IllegalArgumentException("conv2d: kernel " + kernelHeight + "x" + kernelWidth
                    + " is larger than the padded input " + (height + 2 * padH) + "x" + (width + 2 * padW));
        }
    }

    /** A square kernel with the same stride and padding in both directions. */
    public static Conv2dShape of(int batch, int inChannels, int height, int width, int outChannels, int kernel,
                                 int stride, int padding) {
        return new Conv2dShape(batch, inChannels, height, width, outChannels, kernel, kernel, stride, stride,
                padding, padding);
    }

    public int outHeight() {
        return (height + 2 * padH - kernelHeight) / strideH + 1;
    }

    public int outWidth() {
        return (width + 2 * padW - kernelWidth) / strideW + 1;
    }

    /** Elements of one input image, {@code inChannels * height * width}. */
    public int imageSize() {
        return inChannels * height * width;
    }

    /** Elements of one output image, {@code outChannels * outHeight * outWidth}. */
    public int outImageSize() {
        return outChannels * outHeight() * outWidth();
    }

    /** Rows of the unfolded input (and columns of the weight matrix), {@code inChannels * kernelHeight * kernelWidth}. */
    public int patchSize() {
        return inChannels * kernelHeight * kernelWidth;
    }

    public int weightSize() {
        return outChannels * patchSize();
    }

    /** Whether the convolution is a plain matrix product on the input (1x1 kernel, stride 1, no padding). */
    boolean isPointwise() {
        return kernelHeight == 1 && kernelWidth == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0;
    }

    private static String describe(int n, int c, int h, int w, int oc, int kh, int kw, int sh, int sw, int ph,
                                   int pw) {
        return "input [" + n + ", " + c + ", " + h + ", " + w + "], weight [" + oc + ", " + c + ", " + kh + ", " + kw
                + "], stride " + sh + "x" + sw + ", padding " + ph + "x" + pw;
    }
}
