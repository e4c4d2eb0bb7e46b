package dev.modelc.runtime.tensor;

import dev.modelc.runtime.numeric.ElementwiseKernels;
import dev.modelc.runtime.numeric.Shapes;
import dev.modelc.runtime.random.Rng;
import java.util.Arrays;

/**
 * A dense, row-major tensor of {@code f32} ({@code float[]}) or {@code f64} ({@code double[]}) values with PyTorch's
 * dynamic autograd: operations on tensors that require grad record a {@link Node} (the {@code gradFn}), and
 * {@link #backward()} runs the recorded graph in reverse, accumulating into {@link #grad()} of the leaves.
 *
 * <p>Tensors are values: operations return new tensors and never change their inputs. The exceptions are explicit:
 * {@link #floatData()}/{@link #doubleData()} expose the storage (optimizers update parameters through them), and
 * {@link #reshape} and {@link #detach} share storage with their source, as PyTorch's views do.
 *
 * <p>The operations are instance methods here, one line each; their forward kernels live in
 * {@code dev.modelc.runtime.numeric} and their gradient rules in the {@code *Ops} classes of this package.
 */
public class Tensor {

    private final DType dtype;
    private final int[] shape;
    private final float[] floats;
    private final double[] doubles;
    private boolean requiresGrad;
    private Node gradFn;
    private Tensor grad;
    private boolean retainsGrad;

    Tensor(DType dtype, int[] shape, float[] floats, double[] doubles) {
        this.dtype = dtype;
        this.shape = shape;
        this.floats = floats;
        this.doubles = doubles;
    }

    /** A tensor sharing {@code source}'s storage and shape, with no autograd state (for subclasses such as parameters). */
    protected Tensor(Tensor source) {
        this(source.dtype, source.shape, source.floats, source.doubles);
    }

    // ---------------------------------------------------------------------------------------------- creation

    /** A 1-D {@code f32} tensor holding a copy of {@code values}. */
    public static Tensor of(float... values) {
        return of(values, values.length);
    }

    /** A 1-D {@code f64} tensor holding a copy of {@code values}. */
    public static Tensor of(double... values) {
        return of(values, values.length);
    }

    /** An {@code f32} tensor of the given shape holding a copy of {@code values} (row-major). */
    public static Tensor of(float[] values, int... shape) {
        checkLength(values.length, shape);
        return new Tensor(DType.F32, shape.clone(), values.clone(), null);
    }

    /** An {@code f64} tensor of the given shape holding a copy of {@code values} (row-major). */
    public static Tensor of(double[] values, int... shape) {
        checkLength(values.length, shape);
        return new Tensor(DType.F64, shape.clone(), null, values.clone());
    }

    /**
     * A tensor that takes ownership of {@code values} (no copy for {@code f64}; rounded to {@code float} for
     * {@code f32}). This is how kernels build their results.
     */
    public static Tensor fromDoubles(DType dtype, int[] shape, double[] values) {
        checkLength(values.length, shape);
        if (dtype == DType.F64) {
            return new Tensor(dtype, shape.clone(), null, values);
        }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return new Tensor(dtype, shape.clone(), f, null);
    }

    /** A tensor with no dimensions holding {@code value}. */
    public static Tensor scalar(double value, DType dtype) {
        return full(value, dtype);
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return full(0.0, dtype, shape);
    }

    public static Tensor ones(DType dtype, int... shape) {
        return full(1.0, dtype, shape);
    }

    public static Tensor full(double value, DType dtype, int... shape) {
        double[] v = new double[Shapes.numel(shape)];
        Arrays.fill(v, value);
        return fromDoubles(dtype, shape, v);
    }

    /** {@code [0, 1, ..., n-1]}. */
    public static Tensor arange(int n, DType dtype) {
        return arange(0, n, 1, dtype);
    }

    /** {@code start, start + step, ...} up to but excluding {@code end}, like {@code torch.arange}. */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0 || (end - start) / step < 0) {
            throw new IllegalArgumentException("upper bound and larger bound inconsistent with step sign");
        }
        int n = (int) Math.ceil((end - start) / step);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i * step;
        }
        return fromDoubles(dtype, new int[] {n}, v);
    }

    /** Uniform values in [0, 1) drawn from {@code rng} in row-major order ({@link Rng#fillUniform}). */
    public static Tensor rand(Rng rng, DType dtype, int... shape) {
        Tensor t = zeros(dtype, shape);
        if (dtype == DType.F32) {
            rng.fillUniform(t.floats, 0, 1);
        } else {
            rng.fillUniform(t.doubles, 0, 1);
        }
        return t;
    }

    /** Standard normal values drawn from {@code rng} in row-major order ({@link Rng#fillNormal}). */
    public static Tensor randn(Rng rng, DType dtype, int... shape) {
        Tensor t = zeros(dtype, shape);
        if (dtype == DType.F32) {
            rng.fillNormal(t.floats, 0, 1);
        } else {
            rng.fillNormal(t.doubles, 0, 1);
        }
        return t;
    }

    private static void checkLength(int length, int[] shape) {
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
        if (Shapes.numel(shape) != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + Shapes.numel(shape)
                    + " values, got " + length);
        }
    }

    // ---------------------------------------------------------------------------------------------- data

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int dim() {
        return shape.length;
    }

    /** The size of dimension {@code d} (negative counts from the end). */
    public int size(int d) {
        return shape[Shapes.wrapDim(d, shape.length)];
    }

    public int numel() {
        return floats != null ? floats.length : doubles.length;
    }

    /** The element at flat (row-major) position {@code i}. */
    public double getFlat(int i) {
        return floats != null ? floats[i] : doubles[i];
    }

    /** The element at the given index (one entry per dimension). */
    public double get(int... index) {
        return getFlat(Shapes.flatIndex(index, shape));
    }

    /** The single value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalArgumentException("a Tensor with " + numel() + " elements cannot be converted to Scalar");
        }
        return getFlat(0);
    }

    /** The {@code f32} storage itself (not a copy), or {@code null} for an {@code f64} tensor. */
    public float[] floatData() {
        return floats;
    }

    /** The {@code f64} storage itself (not a copy), or {@code null} for an {@code f32} tensor. */
    public double[] doubleData() {
        return doubles;
    }

    /**
     * The values as doubles for reading: the storage itself for {@code f64}, a widened copy for {@code f32}. Kernels
     * read their inputs through this and must not write to it.
     */
    public double[] doubles() {
        if (doubles != null) {
            return doubles;
        }
        double[] v = new double[floats.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = floats[i];
        }
        return v;
    }

    /** A fresh copy of the values as doubles. */
    public double[] toDoubleArray() {
        return doubles != null ? doubles.clone() : doubles();
    }

    /** A fresh copy of the values as floats. */
    public float[] toFloatArray() {
        if (floats != null) {
            return floats.clone();
        }
        float[] f = new float[doubles.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) doubles[i];
        }
        return f;
    }

    /** The same values converted to {@code target} (the same tensor when it already has that dtype), differentiable. */
    public Tensor to(DType target) {
        return ShapeOps.cast(this, target);
    }

    /** A copy with its own storage, differentiable ({@code CloneBackward0}). */
    public Tensor copy() {
        return ShapeOps.copy(this);
    }

    // ---------------------------------------------------------------------------------------------- autograd state

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Sets {@code requires_grad} on a leaf and returns this tensor. */
    public Tensor requiresGrad(boolean flag) {
        if (gradFn != null) {
            throw new AutogradException("you can only change requires_grad flags of leaf variables.");
        }
        requiresGrad = flag;
        return this;
    }

    /** True for tensors no recorded operation produced (created by the user, or results that do not require grad). */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The node that produced this tensor, or {@code null} for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    /**
     * The accumulated gradient. For a non-leaf that did not call {@link #retainGrad()} this is {@code null} and a
     * warning (once) explains why, as PyTorch does.
     */
    public Tensor grad() {
        if (gradFn != null && !retainsGrad) {
            Warnings.warnOnce("non-leaf grad", "The .grad attribute of a Tensor that is not a leaf Tensor is being"
                    + " accessed. Its .grad attribute won't be populated during backward(). If you indeed want the"
                    + " gradient of a non-leaf Tensor, call retainGrad() on it before backward(). If you access the"
                    + " non-leaf Tensor by mistake, make sure you access the leaf Tensor instead.");
        }
        return grad;
    }

    /** Replaces the gradient ({@code null} clears it, as {@code zero_grad(set_to_none=True)} does). */
    public void setGrad(Tensor newGrad) {
        if (newGrad != null && (!Arrays.equals(newGrad.shape, shape) || newGrad.dtype != dtype)) {
            throw new IllegalArgumentException("assigned grad has data of a different type or size: "
                    + newGrad.dtype + Arrays.toString(newGrad.shape) + " for " + dtype + Arrays.toString(shape));
        }
        grad = newGrad;
    }

    /**
     * Fills the gradient with zeros in place, if there is one ({@code x.grad.zero_()}); a gradient that carries a
     * graph (from {@code createGraph}) is replaced by fresh zeros instead, since its storage belongs to that graph.
     */
    public void zeroGrad() {
        if (grad != null && grad.requiresGrad) {
            grad = zeros(dtype, shape);
        } else if (grad != null) {
            if (grad.floats != null) {
                Arrays.fill(grad.floats, 0f);
            } else {
                Arrays.fill(grad.doubles, 0.0);
            }
        }
    }

    /**
     * PyTorch's {@code zero_grad(set_to_none)} over {@code tensors} (an optimizer's or a module's parameters): with
     * {@code setToNone} each gradient becomes null, otherwise each is zeroed in place ({@link #zeroGrad()}).
     */
    public static void zeroGrads(Iterable<? extends Tensor> tensors, boolean setToNone) {
        for (Tensor t : tensors) {
            if (setToNone) {
                t.setGrad(null);
            } else {
                t.zeroGrad();
            }
        }
    }

    /** Asks backward to fill {@link #grad()} of this non-leaf too; a no-op on leaves. */
    public Tensor retainGrad() {
        if (!requiresGrad) {
            throw new AutogradException("can't retain_grad on Tensor that has requires_grad=False");
        }
        if (gradFn != null) {
            retainsGrad = true;
        }
        return this;
    }

    /** True when this non-leaf keeps its gradient ({@link #retainGrad()}). */
    public boolean retainsGrad() {
        return retainsGrad;
    }

    /** Backward from a one-element tensor, seeding its gradient with 1. */
    public void backward() {
        Engine.backward(this, null, false, false);
    }

    /** Backward with the cotangent {@code gradient} (same shape and dtype): the vector-Jacobian product. */
    public void backward(Tensor gradient) {
        Engine.backward(this, gradient, false, false);
    }

    /** Backward keeping the graph's saved values when {@code retainGraph}, so that it can run again. */
    public void backward(Tensor gradient, boolean retainGraph) {
        Engine.backward(this, gradient, retainGraph, false);
    }

    /**
     * PyTorch's {@code backward(gradient, retain_graph, create_graph)}: with {@code createGraph} the gradient rules run
     * with recording on, so the accumulated {@code grad} of a leaf is itself a tensor with a graph (it requires grad
     * when it depends on a tensor that does) and can be differentiated again. PyTorch's default for
     * {@code retainGraph} is {@code createGraph}.
     */
    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        Engine.backward(this, gradient, retainGraph, createGraph);
    }

    /** A tensor sharing this one's storage, outside the graph (no grad, no {@code gradFn}). */
    public Tensor detach() {
        return new Tensor(dtype, shape, floats, doubles);
    }

    /**
     * A tensor sharing this one's storage with another shape of the same element count, outside the graph (a
     * kernel-level view; {@link #reshape} is the differentiable one).
     */
    public Tensor withShape(int... newShape) {
        if (Shapes.numel(newShape) != numel()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(newShape) + " is invalid for input of size "
                    + numel());
        }
        return new Tensor(dtype, newShape.clone(), floats, doubles);
    }

    void attach(Node node) {
        gradFn = node;
        requiresGrad = true;
    }

    /**
     * Adds {@code g} into {@link #grad}: in place when a gradient already exists and neither it nor the pass carries a
     * graph; with {@code createGraph} as a recorded sum (the first gradient that requires grad is kept as it is, with
     * its graph, as PyTorch does); otherwise into a private copy.
     */
    void accumulateGrad(Tensor g, boolean createGraph) {
        if (grad == null) {
            grad = createGraph && g.requiresGrad ? g : g.detach().copy();
            return;
        }
        if (createGraph || grad.requiresGrad) {
            boolean previous = GradMode.set(createGraph);
            try {
                grad = grad.add(g);
            } finally {
                GradMode.set(previous);
            }
            return;
        }
        double[] add = g.doubles();
        if (grad.floats != null) {
            for (int i = 0; i < add.length; i++) {
                grad.floats[i] += (float) add[i];
            }
        } else {
            for (int i = 0; i < add.length; i++) {
                grad.doubles[i] += add[i];
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- operations

    public Tensor add(Tensor other) { return ElementwiseOps.add(this, other); }
    public Tensor add(double other) { return add(scalar(other, dtype)); }
    public Tensor sub(Tensor other) { return ElementwiseOps.sub(this, other); }
    public Tensor sub(double other) { return sub(scalar(other, dtype)); }
    public Tensor mul(Tensor other) { return ElementwiseOps.mul(this, other); }
    public Tensor mul(double other) { return mul(scalar(other, dtype)); }
    public Tensor div(Tensor other) { return ElementwiseOps.div(this, other); }
    public Tensor div(double other) { return div(scalar(other, dtype)); }
    public Tensor pow(Tensor exponent) { return ElementwiseOps.pow(this, exponent); }
    public Tensor pow(double exponent) { return ElementwiseOps.pow(this, exponent); }
    public Tensor maximum(Tensor other) { return ElementwiseOps.maximum(this, other); }
    public Tensor minimum(Tensor other) { return ElementwiseOps.minimum(this, other); }

    /** torch.clamp: either bound may be null (omitted), not both. */
    public Tensor clamp(Double min, Double max) {
        if (min == null && max == null) {
            throw new IllegalArgumentException("At least one of 'min' or 'max' must not be None");
        }
        return ElementwiseOps.clamp(this, min, max);
    }

    /** Comparisons with broadcasting: a 0/1 mask in the operands' dtype, carrying no gradient (like torch's bool). */
    public Tensor gt(Tensor other) { return ElementwiseKernels.compare(this, other, (a, b) -> a > b ? 1 : 0); }
    public Tensor ge(Tensor other) { return ElementwiseKernels.compare(this, other, (a, b) -> a >= b ? 1 : 0); }
    public Tensor lt(Tensor other) { return ElementwiseKernels.compare(this, other, (a, b) -> a < b ? 1 : 0); }
    public Tensor le(Tensor other) { return ElementwiseKernels.compare(this, other, (a, b) -> a <= b ? 1 : 0); }
    public Tensor eq(Tensor other) { return ElementwiseKernels.compare(this, other, (a, b) -> a == b ? 1 : 0); }
    public Tensor ne(Tensor other) { return ElementwiseKernels.compare(this, other, (a, b) -> a != b ? 1 : 0); }

    /**
     * torch.logical_and, logical_or and logical_not (what {@code &}, {@code |} and {@code ~} do on bool tensors) of
     * masks: a 0/1 mask in the operands' dtype, nonzero counting as true, carrying no gradient.
     */
    public Tensor logicalAnd(Tensor other) { return ElementwiseKernels.compare(this, other, (a, b) -> a != 0 && b != 0 ? 1 : 0); }
    public Tensor logicalOr(Tensor other) { return ElementwiseKernels.compare(this, other, (a, b) -> a != 0 || b != 0 ? 1 : 0); }
    public Tensor logicalNot() { return ElementwiseKernels.compare(this, Tensor.scalar(0, dtype()), (a, b) -> a == 0 ? 1 : 0); }

    /**
     * A mask as numbers, torch's {@code mask.to(x.dtype)}: 1 where it holds, 0 elsewhere, in the dtype of the values
     * it compared. A new tensor that requires no gradient (a constant with respect to everything).
     */
    public Tensor maskToFloat() { return ElementwiseKernels.compare(this, Tensor.scalar(0, dtype()), (a, b) -> a != 0 ? 1 : 0); }

    /** torch.where(mask, a, b): {@code mask} a 0/1 tensor (a comparison's result); the three broadcast. */
    public static Tensor where(Tensor mask, Tensor a, Tensor b) { return ElementwiseOps.where(mask, a, b); }

    public Tensor neg() { return ElementwiseOps.neg(this); }
    public Tensor exp() { return ElementwiseOps.exp(this); }
    public Tensor log() { return ElementwiseOps.log(this); }
    public Tensor sqrt() { return ElementwiseOps.sqrt(this); }
    public Tensor abs() { return ElementwiseOps.abs(this); }
    public Tensor sin() { return ElementwiseOps.sin(this); }
    public Tensor cos() { return ElementwiseOps.cos(this); }
    public Tensor tanh() { return ElementwiseOps.tanh(this); }
    public Tensor sigmoid() { return ElementwiseOps.sigmoid(this); }
    public Tensor relu() { return ElementwiseOps.relu(this); }
    public Tensor leakyRelu(double negativeSlope) { return ElementwiseOps.leakyRelu(this, negativeSlope); }
    public Tensor softplus(double beta, double threshold) { return ElementwiseOps.softplus(this, beta, threshold); }
    public Tensor gelu(boolean tanhApproximation) { return ElementwiseOps.gelu(this, tanhApproximation); }

    /** {@code torch.matmul}. */
    public Tensor matmul(Tensor other) { return MatrixOps.matmul(this, other); }
    /** Swaps the last two dimensions ({@code .mT}; {@code .T} on 2-D). */
    public Tensor mT() { return ShapeOps.transpose(this, -2, -1); }
    /** torch.index_select: the slices at {@code index} (1-D, values in [0, size)) along {@code dim}. */
    public Tensor indexSelect(int dim, int[] index) { return IndexOps.indexSelect(this, dim, index); }

    /** torch.gather: one index per element, index of this tensor's shape except along {@code dim}. */
    public Tensor gather(int dim, int[] index, int[] indexShape) { return IndexOps.gather(this, dim, index, indexShape); }

    public Tensor transpose(int dim0, int dim1) { return ShapeOps.transpose(this, dim0, dim1); }
    /** A view with a new shape (one entry may be -1). */
    public Tensor reshape(int... newShape) { return ShapeOps.reshape(this, newShape); }
    public Tensor flatten() { return ShapeOps.flatten(this, 0, -1); }
    public Tensor flatten(int startDim, int endDim) { return ShapeOps.flatten(this, startDim, endDim); }
    /** Broadcasts to {@code newShape} ({@code expand}); the gradient is summed back. */
    /** Dim d keeps elements {@code start[d] + i * step[d]}, {@code i < size[d]} (PyTorch's basic slicing). */
    public Tensor slice(int[] start, int[] step, int[] size) { return ShapeOps.slice(this, start, step, size); }

    /** torch.cat: the parts joined along {@code dim}. */
    public static Tensor cat(Tensor[] parts, int dim) { return ShapeOps.cat(parts, dim); }

    /** torch.stack: the parts joined along a new dim {@code dim}. */
    public static Tensor stack(Tensor[] parts, int dim) { return ShapeOps.stack(parts, dim); }

    public Tensor expand(int... newShape) { return ShapeOps.expand(this, newShape); }

    public Tensor sum() { return ReductionOps.sum(this, null, false); }
    public Tensor sum(int[] dims, boolean keepdim) { return ReductionOps.sum(this, dims, keepdim); }
    public Tensor mean() { return ReductionOps.mean(this, null, false); }
    public Tensor mean(int[] dims, boolean keepdim) { return ReductionOps.mean(this, dims, keepdim); }
    public Tensor max() { return ReductionOps.max(this, null, false); }
    public Tensor max(int[] dims, boolean keepdim) { return ReductionOps.max(this, dims, keepdim); }
    public Tensor amax(int[] dims, boolean keepdim) { return ReductionOps.amax(this, dims, keepdim); }
    public Tensor logsumexp() { return ReductionOps.logsumexp(this, null, false); }
    public Tensor logsumexp(int[] dims, boolean keepdim) { return ReductionOps.logsumexp(this, dims, keepdim); }
    public Tensor softmax(int dim) { return ReductionOps.softmax(this, dim); }
    public Tensor logSoftmax(int dim) { return ReductionOps.logSoftmax(this, dim); }

    // ---------------------------------------------------------------------------------------------- printing

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("tensor(");
        if (numel() > 1000) {
            s.append("<").append(numel()).append(" values>");
        } else {
            appendValues(s, 0, 0);
        }
        s.append(", shape=").append(Arrays.toString(shape)).append(", dtype=").append(dtype);
        if (gradFn != null) {
            s.append(", grad_fn=").append(gradFn);
        } else if (requiresGrad) {
            s.append(", requires_grad=true");
        }
        return s.append(')').toString();
    }

    private int appendValues(StringBuilder s, int dim, int offset) {
        if (dim == shape.length) {
            s.append(getFlat(offset));
            return offset + 1;
        }
        s.append('[');
        for (int i = 0; i < shape[dim]; i++) {
            if (i > 0) {
                s.append(", ");
            }
            offset = appendValues(s, dim + 1, offset);
        }
        s.append(']');
        return offset;
    }
}
