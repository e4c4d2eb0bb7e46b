package dev.modelc.runtime.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelc.runtime.numeric.Reduction;
import dev.modelc.runtime.random.Rng;
import dev.modelc.runtime.tensor.DType;
import dev.modelc.runtime.tensor.Functional;
import dev.modelc.runtime.tensor.Losses;
import dev.modelc.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * One row per operation and loss: the inputs' shapes and domains (positive for log, away from kinks for relu/abs,
 * probabilities for bce). Each row is checked twice: its analytic gradient against central differences in f64
 * ({@link GradCheck} with PyTorch's tolerances), and its f32 forward value and gradients against f64 within
 * {@link #F32_TOLERANCE} relative to the values' scale.
 */
class GradientTableTest {

    /** f32 results may differ from f64 by this much times (1 + |f64 value|). */
    static final double F32_TOLERANCE = 1e-4;

    enum Domain { ANY, POSITIVE, AWAY_FROM_ZERO, PROBABILITY, UNIT }

    record Input(Domain domain, int... shape) {
    }

    record Row(String name, Function<Tensor[], Tensor> f, Input... inputs) {
    }

    static Input any(int... shape) { return new Input(Domain.ANY, shape); }
    static Input positive(int... shape) { return new Input(Domain.POSITIVE, shape); }
    static Input awayFromZero(int... shape) { return new Input(Domain.AWAY_FROM_ZERO, shape); }
    static Input probability(int... shape) { return new Input(Domain.PROBABILITY, shape); }
    static Input unit(int... shape) { return new Input(Domain.UNIT, shape); }

    static Row row(String name, Function<Tensor[], Tensor> f, Input... inputs) {
        return new Row(name, f, inputs);
    }

    static final int[] LABELS = {2, 0, 3};

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        rows.add(row("add broadcast", x -> x[0].add(x[1]), any(2, 3), any(3)));
        rows.add(row("sub broadcast", x -> x[0].sub(x[1]), any(2, 1), any(1, 3)));
        rows.add(row("mul broadcast", x -> x[0].mul(x[1]), any(2, 3), any(2, 1)));
        rows.add(row("div", x -> x[0].div(x[1]), any(2, 3), positive(3)));
        rows.add(row("pow tensor", x -> x[0].pow(x[1]), positive(2, 3), any(2, 3)));
        rows.add(row("pow scalar 3", x -> x[0].pow(3), any(4)));
        rows.add(row("pow scalar -0.5", x -> x[0].pow(-0.5), positive(4)));
        rows.add(row("maximum", x -> x[0].maximum(x[1]), any(2, 3), any(3)));
        rows.add(row("minimum", x -> x[0].minimum(x[1]), any(2, 3), any(2, 3)));
        rows.add(row("clamp", x -> x[0].clamp(-0.3, 0.4), any(2, 5)));
        rows.add(row("clamp min only", x -> x[0].clamp(0.1, null), any(5)));
        rows.add(row("where broadcast", x -> Tensor.where(x[0].gt(x[1].detach()), x[0], x[1]), any(2, 3), any(3)));
        rows.add(row("where of mask operators", x -> Tensor.where(x[0].gt(x[1]).logicalAnd(x[0].lt(x[1].add(
            Tensor.scalar(0.5, x[1].dtype()))).logicalNot()).logicalOr(x[1].gt(Tensor.scalar(0.6, x[1].dtype()))),
            x[0].exp(), x[1]), any(2, 3), any(3)));
        rows.add(row("float of a mask", x -> x[0].gt(x[1]).logicalOr(x[0].lt(Tensor.scalar(-0.5, x[0].dtype())))
            .maskToFloat().mul(x[0].tanh()).add(x[1].lt(x[0]).logicalNot().maskToFloat().mul(x[1])), any(2, 3),
            any(3)));
        rows.add(row("neg", x -> x[0].neg(), any(5)));
        rows.add(row("exp", x -> x[0].exp(), any(5)));
        rows.add(row("log", x -> x[0].log(), positive(5)));
        rows.add(row("sqrt", x -> x[0].sqrt(), positive(5)));
        rows.add(row("abs", x -> x[0].abs(), awayFromZero(5)));
        rows.add(row("sin", x -> x[0].sin(), any(5)));
        rows.add(row("cos", x -> x[0].cos(), any(5)));
        rows.add(row("tanh", x -> x[0].tanh(), any(5)));
        rows.add(row("sigmoid", x -> x[0].sigmoid(), any(5)));
        rows.add(row("relu", x -> x[0].relu(), awayFromZero(6)));
        rows.add(row("leaky_relu", x -> x[0].leakyRelu(0.1), awayFromZero(6)));
        rows.add(row("softplus", x -> x[0].softplus(1, 20), any(6)));
        rows.add(row("softplus beta 2 threshold 1", x -> x[0].softplus(2, 1), awayFromZero(6)));
        rows.add(row("gelu none", x -> x[0].gelu(false), any(6)));
        rows.add(row("gelu tanh", x -> x[0].gelu(true), any(6)));
        rows.add(row("matmul 2-D", x -> x[0].matmul(x[1]), any(3, 4), any(4, 2)));
        rows.add(row("matmul batched broadcast", x -> x[0].matmul(x[1]), any(2, 1, 3, 4), any(3, 4, 2)));
        rows.add(row("matmul vector @ matrix", x -> x[0].matmul(x[1]), any(4), any(2, 4, 3)));
        rows.add(row("matmul matrix @ vector", x -> x[0].matmul(x[1]), any(3, 4), any(4)));
        rows.add(row("matmul dot", x -> x[0].matmul(x[1]), any(4), any(4)));
        rows.add(row("transpose", x -> x[0].transpose(0, 2), any(2, 3, 4)));
        rows.add(row("mT", x -> x[0].mT(), any(2, 3, 4)));
        rows.add(row("reshape -1", x -> x[0].reshape(-1, 4), any(2, 3, 4)));
        rows.add(row("flatten 1..2", x -> x[0].flatten(1, 2), any(2, 3, 4)));
        rows.add(row("sum all", x -> x[0].sum(), any(2, 3)));
        rows.add(row("sum dims keepdim", x -> x[0].sum(new int[] {0, -1}, true), any(2, 3, 4)));
        rows.add(row("mean dim", x -> x[0].mean(new int[] {1}, false), any(2, 3, 4)));
        rows.add(row("max all", x -> x[0].max(), any(2, 3)));
        rows.add(row("max dim", x -> x[0].max(new int[] {1}, false), any(3, 4)));
        rows.add(row("logsumexp dims", x -> x[0].logsumexp(new int[] {0, 2}, true), any(2, 3, 4)));
        rows.add(row("softmax", x -> x[0].softmax(1), any(3, 4)));
        rows.add(row("log_softmax", x -> x[0].logSoftmax(-1), any(2, 3, 4)));
        rows.add(row("linear", x -> Functional.linear(x[0], x[1], x[2]), any(2, 3, 4), any(5, 4), any(5)));
        rows.add(row("conv2d stride 2 padding 1", x -> Functional.conv2d(x[0], x[1], x[2], 2, 1),
                any(2, 2, 5, 5), any(3, 2, 3, 3), any(3)));
        rows.add(row("conv2d rectangular", x -> Functional.conv2d(x[0], x[1], null, 1, 2, 0, 1),
                any(1, 2, 4, 5), any(2, 2, 2, 3)));
        rows.add(row("maxpool2d", x -> Functional.maxPool2d(x[0], 2, 2, 0), any(2, 2, 4, 5)));
        rows.add(row("maxpool2d padding 1 stride 1", x -> Functional.maxPool2d(x[0], 3, 1, 1), any(1, 2, 4, 4)));
        rows.add(row("avgpool2d padding 1", x -> Functional.avgPool2d(x[0], 2, 2, 1), any(2, 1, 5, 4)));
        for (Reduction r : Reduction.values()) {
            String s = " " + r.name().toLowerCase();
            rows.add(row("mse" + s, x -> Losses.mse(x[0], x[1], r), any(3, 4), any(3, 4)));
            rows.add(row("l1" + s, x -> Losses.l1(x[0], x[1], r), any(3, 4), any(3, 4)));
            rows.add(row("cross_entropy" + s, x -> Losses.crossEntropy(x[0], LABELS, r), any(3, 5)));
            rows.add(row("nll" + s, x -> Losses.nll(x[0].logSoftmax(1), LABELS, r), any(3, 4)));
            rows.add(row("bce" + s, x -> Losses.bce(x[0], x[1], r), probability(3, 4), unit(3, 4)));
            rows.add(row("bce_with_logits" + s, x -> Losses.bceWithLogits(x[0], x[1], r), any(3, 4), unit(3, 4)));
        }
        return rows;
    }

    static Tensor[] inputs(Row row, long seed) {
        Rng rng = new Rng(seed);
        Tensor[] xs = new Tensor[row.inputs().length];
        for (int i = 0; i < xs.length; i++) {
            Input in = row.inputs()[i];
            double[] v = Tensor.randn(rng, DType.F64, in.shape()).toDoubleArray();
            for (int j = 0; j < v.length; j++) {
                double u = rng.nextDouble();
                v[j] = switch (in.domain()) {
                    case ANY -> v[j];
                    case POSITIVE -> 0.5 + 1.5 * u;
                    case AWAY_FROM_ZERO -> (v[j] < 0 ? -1 : 1) * (0.2 + 1.3 * u);
                    case PROBABILITY -> 0.1 + 0.8 * u;
                    case UNIT -> u;
                };
            }
            xs[i] = Tensor.of(v, in.shape()).requiresGrad(true);
        }
        return xs;
    }

    @TestFactory
    Stream<DynamicTest> analyticGradientsMatchFiniteDifferencesInF64() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            GradCheckReport report = GradCheck.check(row.f(), inputs(row, 42));
            assertTrue(report.passed(), row.name() + ": " + report);
            assertTrue(report.checked() > 0);
        }));
    }

    @TestFactory
    Stream<DynamicTest> f32ResultsStayWithinToleranceOfF64() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            Tensor[] x64 = inputs(row, 7);
            Tensor[] x32 = new Tensor[x64.length];
            for (int i = 0; i < x64.length; i++) {
                x32[i] = Tensor.of(x64[i].toFloatArray(), x64[i].shape()).requiresGrad(true);
                x64[i] = Tensor.of(x32[i].toDoubleArray(), x64[i].shape()).requiresGrad(true);
            }
            Tensor y64 = row.f().apply(x64);
            Tensor y32 = row.f().apply(x32);
            assertEquals(DType.F32, y32.dtype());
            assertClose(row.name() + " value", y64.toDoubleArray(), y32.toDoubleArray());
            double[] v = Tensor.randn(new Rng(3), DType.F64, y64.shape()).toDoubleArray();
            y64.backward(Tensor.of(v, y64.shape()));
            Tensor v32 = Tensor.of(Tensor.of(v, y64.shape()).toFloatArray(), y64.shape());
            y32.backward(v32);
            for (int i = 0; i < x64.length; i++) {
                assertEquals(DType.F32, x32[i].grad().dtype());
                assertClose(row.name() + " grad " + i, x64[i].grad().toDoubleArray(), x32[i].grad().toDoubleArray());
            }
        }));
    }

    static void assertClose(String what, double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double tolerance = F32_TOLERANCE * (1 + Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tolerance, what + " element " + i);
        }
    }

    @TestFactory
    Stream<DynamicTest> theCheckerCatchesAWrongGradient() {
        // sum(detach(x*x) + x) differentiates to 1 while the function's slope is 2x + 1: the checker must say so.
        return Stream.of(DynamicTest.dynamicTest("wrong rule is reported with its element", () -> {
            Tensor x = Tensor.of(new double[] {0.5, -1.0, 2.0}, 3).requiresGrad(true);
            GradCheckReport report = GradCheck.check(t -> t[0].mul(t[0]).detach().add(t[0]).sum(), x);
            assertTrue(!report.passed(), report.toString());
            assertEquals(0, report.inputIndex());
            assertEquals(1, report.flatIndex(), "largest error relative to tolerance: |1 - (-1)| / (1e-5 + 1e-3)");
            assertArrayEquals(new double[] {1}, new double[] {report.analytic()}, 1e-12);
            assertEquals(-1.0, report.numeric(), 1e-6);
            assertEquals(2.0, report.absError(), 1e-6);
        }));
    }
}
