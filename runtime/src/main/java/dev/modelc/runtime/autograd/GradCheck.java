package dev.modelc.runtime.autograd;

import dev.modelc.runtime.random.Rng;
import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.NoGrad;
import dev.modelc.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.function.Function;

/**
 * A finite-difference gradient checker in the manner of {@code torch.autograd.gradcheck}. Algorithm:
 * <ol>
 *   <li>Copy every input to a fresh {@code f64} leaf (keeping its {@code requiresGrad}).</li>
 *   <li>Evaluate {@code y = f(inputs)}; pick the cotangent {@code v}: the given one, 1 for a one-element output, or
 *       standard normals from {@link Rng} with the options' seed.</li>
 *   <li>Analytic: {@code y.backward(v)}; the gradient of input i is its {@code grad} (zero when absent).</li>
 *   <li>Numeric, without recording: for each element j of each input that requires grad,
 *       {@code (<v, f(x + eps e_j)> - <v, f(x - eps e_j)>) / (2 eps)}.</li>
 *   <li>An element passes when {@code |analytic - numeric| <= atol + rtol * |numeric|}; the report names the element
 *       with the largest ratio of error to tolerance.</li>
 * </ol>
 * {@code f} must recompute from its arguments on every call (the checker perturbs their storage in place).
 */
public final class GradCheck {

    /** Step and tolerances (PyTorch's defaults: eps 1e-6, atol 1e-5, rtol 1e-3) and the seed of random cotangents. */
    public record Options(double eps, double atol, double rtol, long seed) {
        public static Options defaults() {
            return new Options(1e-6, 1e-5, 1e-3, 0);
        }
    }

    private GradCheck() {
    }

    public static GradCheckReport check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return check(f, null, Options.defaults(), inputs);
    }

    /** Checks with a given cotangent (or {@code null} for the default choice) and options. */
    public static GradCheckReport check(Function<Tensor[], Tensor> f, Tensor cotangent, Options options,
            Tensor... inputs) {
        Tensor[] xs = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            xs[i] = Tensor.of(inputs[i].toDoubleArray(), inputs[i].shape()).requiresGrad(inputs[i].requiresGrad());
        }
        Tensor y = f.apply(xs);
        if (!y.requiresGrad()) {
            throw new IllegalArgumentException("gradcheck: the output does not depend on any input that requires grad");
        }
        double[] v = cotangent(y, cotangent, options);
        y.backward(Tensor.of(v, y.shape()));

        Worst worst = new Worst();
        for (int i = 0; i < xs.length; i++) {
            if (!xs[i].requiresGrad()) {
                continue;
            }
            double[] analytic = xs[i].grad() == null ? new double[xs[i].numel()] : xs[i].grad().toDoubleArray();
            double[] data = xs[i].doubleData();
            for (int j = 0; j < data.length; j++) {
                double numeric = centralDifference(f, xs, data, j, v, options.eps());
                worst.offer(i, j, analytic[j], numeric, options);
            }
        }
        return worst.report();
    }

    private static double[] cotangent(Tensor y, Tensor given, Options options) {
        if (given != null) {
            if (!Arrays.equals(given.shape(), y.shape())) {
                throw new IllegalArgumentException("gradcheck: cotangent shape " + Arrays.toString(given.shape())
                        + " differs from output shape " + Arrays.toString(y.shape()));
            }
            return given.toDoubleArray();
        }
        if (y.numel() == 1) {
            return new double[] {1};
        }
        return Tensor.randn(new Rng(options.seed()), DType.F64, y.shape()).toDoubleArray();
    }

    @SuppressWarnings("try") // the scope object is only closed
    private static double centralDifference(Function<Tensor[], Tensor> f, Tensor[] xs, double[] data, int j,
            double[] v, double eps) {
        double original = data[j];
        try (NoGrad ignored = NoGrad.enter()) {
            data[j] = original + eps;
            double plus = dot(v, f.apply(xs));
            data[j] = original - eps;
            double minus = dot(v, f.apply(xs));
            return (plus - minus) / (2 * eps);
        } finally {
            data[j] = original;
        }
    }

    private static double dot(double[] v, Tensor y) {
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            s += v[i] * y.getFlat(i);
        }
        return s;
    }

    /** Tracks the element with the largest error-to-tolerance ratio. */
    private static final class Worst {
        private boolean passed = true;
        private int checked;
        private double ratio = -1;
        private GradCheckReport at = new GradCheckReport(true, 0, -1, -1, 0, 0, 0, 0);

        void offer(int input, int index, double analytic, double numeric, Options o) {
            checked++;
            double abs = Math.abs(analytic - numeric);
            double tolerance = o.atol() + o.rtol() * Math.abs(numeric);
            double r = Double.isNaN(abs) ? Double.POSITIVE_INFINITY : abs / tolerance;
            passed &= r <= 1;
            if (r > ratio) {
                ratio = r;
                double rel = abs / Math.max(Math.abs(numeric), Double.MIN_NORMAL);
                at = new GradCheckReport(true, 0, input, index, analytic, numeric, abs, rel);
            }
        }

        GradCheckReport report() {
            return new GradCheckReport(passed, checked, at.inputIndex(), at.flatIndex(), at.analytic(), at.numeric(),
                    at.absError(), at.relError());
        }
    }
}
