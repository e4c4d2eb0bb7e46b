package dev.modelc.runtime.tensor;

import dev.modelc.runtime.numeric.Broadcasting;
import dev.modelc.runtime.numeric.ConvKernels;
import dev.modelc.runtime.numeric.ElementwiseKernels;
import dev.modelc.runtime.numeric.PoolKernels;
import dev.modelc.runtime.numeric.ReductionKernels;
import dev.modelc.runtime.numeric.Shapes;
import dev.modelc.runtime.numeric.SlidingWindow;
import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

/**
 * The differentiable forms of the gradient helpers that are not compositions of tensor operations: each computes its
 * value with the same tape-free kernel the first-order rules always used, and records (when grad mode is on, that is
 * inside {@code backward(..., createGraph = true)} or {@code Autograd.grad(..., createGraph = true)}) a node whose own
 * rule is written in recorded operations, so gradients of gradients (of gradients ...) are defined.
 *
 * <p>With grad mode off {@link Node#record} records nothing, so a first-order backward pass costs just the kernel.
 * The rules follow PyTorch's double-backward formulas:
 * <ul>
 *   <li>a mask or select in g ({@code relu}, {@code abs}, {@code maximum}, ...) is linear in g with a locally constant
 *       factor: its gradient in g is the same mask, in the forward input zero;</li>
 *   <li>{@code sum_to} (the adjoint of broadcasting) and {@code expand} are each other's adjoints;</li>
 *   <li>conv2d's input gradient is linear in (g, w), its weight gradient in (g, x): their adjoints are conv2d and the
 *       other gradient;</li>
 *   <li>max-pool's backward scatters g to the recorded argmax: its adjoint gathers at the argmax (and the gather's
 *       adjoint scatters again); avg-pool's backward is the adjoint of avg-pool;</li>
 *   <li>the tied-max share of {@code amax} and of {@code max} without a dim is linear in g: its adjoint sums the
 *       shared gradient back over the reduced dimensions; {@code max} with a dim routes g to the first maximum, and
 *       its adjoint gathers there.</li>
 * </ul>
 */
final class GradientOps {

    private GradientOps() {
    }

    /** {@code t} unchanged when it already has {@code shape}, otherwise a differentiable reshape. */
    static Tensor view(Tensor t, int[] shape) {
        return Arrays.equals(t.shape(), shape) ? t : t.reshape(shape);
    }

    /** The adjoint of broadcasting: {@code g} summed back to {@code shape}; {@code g} itself when shapes agree. */
    static Tensor sumTo(Tensor g, int[] shape) {
        int[] from = g.shape();
        if (Arrays.equals(from, shape)) {
            return g;
        }
        Tensor y = Broadcasting.sumTo(g, shape);
        return Node.record("SumBackward1", y, gg -> new Tensor[] {ShapeOps.expand(gg, from)}, g);
    }

    /** A reduction's output gradient {@code g} broadcast back to the reduced input's shape. */
    static Tensor expandBack(Tensor g, int[] inputShape, int[] dims) {
        boolean[] reduced = Shapes.reducedDims(dims, inputShape.length);
        return ShapeOps.expand(view(g, Shapes.keepdimShape(inputShape, reduced)), inputShape);
    }

    /**
     * An elementwise map of {@code g} that multiplies each element by a factor held constant (a mask, a sign, a
     * slope, the share of a tie): its own gradient is the same map, so the rule calls itself.
     */
    static Tensor diagonal(String name, Tensor g, UnaryOperator<Tensor> kernel) {
        return Node.record(name, kernel.apply(g), gg -> new Tensor[] {diagonal(name, gg, kernel)}, g);
    }

    /** {@code f(x)} elementwise from a kernel, whose derivative {@code df(x)} is written in recorded operations. */
    static Tensor slope(String name, Tensor x, DoubleUnaryOperator f, UnaryOperator<Tensor> df) {
        return Node.record(name, ElementwiseKernels.map(x, f), gg -> new Tensor[] {gg.mul(df.apply(x))}, x);
    }

    /** x_bar of conv2d: linear in g and in w. */
    static Tensor conv2dGradInput(Tensor g, Tensor w, int[] xShape, int sh, int sw, int ph, int pw) {
        Tensor y = ConvKernels.conv2dGradInput(g, w, xShape, sh, sw, ph, pw);
        int[] wShape = w.shape();
        return Node.record("ConvolutionBackwardBackward0", y, gg -> new Tensor[] {
            Functional.conv2d(gg, w, null, sh, sw, ph, pw),
            conv2dGradWeight(g, gg, wShape, sh, sw, ph, pw)}, g, w);
    }

    /** w_bar of conv2d: linear in g and in x. */
    static Tensor conv2dGradWeight(Tensor g, Tensor x, int[] wShape, int sh, int sw, int ph, int pw) {
        Tensor y = ConvKernels.conv2dGradWeight(g, x, wShape, sh, sw, ph, pw);
        int[] xShape = x.shape();
        return Node.record("ConvolutionBackwardBackward0", y, gg -> new Tensor[] {
            Functional.conv2d(x, gg, null, sh, sw, ph, pw),
            conv2dGradInput(g, gg, xShape, sh, sw, ph, pw)}, g, x);
    }

    /** Max-pool backward: g scattered to the argmax; its gradient in g gathers at the argmax, in x it is zero. */
    static Tensor maxPool2dScatter(Tensor g, int[] argmax, int[] xShape) {
        int[] yShape = g.shape();
        return Node.record("MaxPool2DWithIndicesBackwardBackward0", PoolKernels.maxPool2dGrad(g, argmax, xShape),
                gg -> new Tensor[] {maxPool2dGather(gg, argmax, yShape)}, g);
    }

    /** {@code t} read at the argmax of each window, the adjoint of {@link #maxPool2dScatter}. */
    static Tensor maxPool2dGather(Tensor t, int[] argmax, int[] yShape) {
        int[] xShape = t.shape();
        return Node.record("MaxPool2DWithIndicesBackward0", PoolKernels.maxPool2dGather(t, argmax, yShape),
                gg -> new Tensor[] {maxPool2dScatter(gg, argmax, xShape)}, t);
    }

    /** Avg-pool backward, the adjoint of avg-pool: its gradient in g is avg-pool. */
    static Tensor avgPool2dGrad(Tensor g, int[] xShape, SlidingWindow window) {
        return Node.record("AvgPool2DBackwardBackward0", PoolKernels.avgPool2dGrad(g, xShape, window),
                gg -> new Tensor[] {Functional.avgPool2d(gg, window)}, g);
    }

    /** torch.amax's backward: g shared among tied maxima, linear in g; the adjoint sums the shared gradient back. */
    static Tensor amaxGrad(Tensor g, Tensor x, Tensor result, int[] dims) {
        return routedGrad("AmaxBackwardBackward0", ReductionKernels::amaxGrad, false, g, x, result, dims);
    }

    /**
     * torch.max(x)'s backward: g shared among the maxima (the NaNs of a NaN max), linear in g; the adjoint sums the
     * shared gradient back.
     */
    static Tensor evenMaxGrad(Tensor g, Tensor x, Tensor result, int[] dims) {
        return routedGrad("MaxBackwardBackward1", ReductionKernels::evenMaxGrad, false, g, x, result, dims);
    }

    /**
     * torch.max(x, dim)'s backward: each group's gradient to its first maximal element. Its derivative in {@code g}
     * gathers at the same elements (torch's scatter, whose adjoint is a gather), so a NaN or infinity of gg elsewhere
     * does not reach it.
     */
    static Tensor maxFirstGrad(Tensor g, Tensor x, Tensor result, int[] dims) {
        return routedGrad("MaxBackwardBackward0", ReductionKernels::maxFirstGrad, true, g, x, result, dims);
    }

    /** A max reduction's gradient kernel: g routed to (or shared among) the elements of x that reach the result. */
    @FunctionalInterface
    private interface Routing {
        Tensor apply(Tensor g, Tensor x, Tensor result, int[] dims);
    }

    /**
     * A max reduction's backward through {@code routing}, linear in g: its adjoint weights gg by the routing of ones
     * (the share each element got) and sums it back over the reduced dims; with {@code selects} (a 0/1 routing)
     * it takes gg where the routing is 1 instead of multiplying, as torch's gather does (amax's and max(x)'s shares
     * are products in torch too, so a NaN of gg anywhere in a group reaches the group there).
     */
    private static Tensor routedGrad(String name, Routing routing, boolean selects, Tensor g, Tensor x,
                                     Tensor result, int[] dims) {
        int[] gShape = g.shape();
        return Node.record(name, routing.apply(g, x, result, dims), gg -> {
            Tensor share = routing.apply(Tensor.ones(g.dtype(), gShape), x, result, dims);
            Tensor routed = selects ? Tensor.where(share, gg, Tensor.zeros(gg.dtype())) : gg.mul(share);
            return new Tensor[] {view(routed.sum(dims, true), gShape)};
        }, g);
    }
}
