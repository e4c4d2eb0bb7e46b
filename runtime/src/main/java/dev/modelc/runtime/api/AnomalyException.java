package dev.modelc.runtime.api;

/**
 * The first non-finite value (NaN or an infinity) a model with anomaly detection on ({@link Model#setDetectAnomaly})
 * found: in an input or a parameter before a pass, in what a step of the forward or backward pass wrote, or in a parameter after its optimizer
 * update. PyTorch's {@code torch.autograd.detect_anomaly} raises the same kind of error ("Function 'PowBackward0'
 * returned nan values in its 0th output."). The message names the {@code .mdl} file, line and column of the op
 * that made the value, the op, the pass, the value and its element index, for example
 *
 * <pre>
 *   net.mdl:4:14: forward: log %5 produced NaN at element 17 (step s2)
 *   net.mdl:3:14: backward: div %12 (gradient of sqrt) produced Infinity at element 0 (step s6)
 *   input x holds NaN at element 1585 (index [2, 17])
 *   parameter fc1.weight holds NaN at element 5
 *   optimizer update of fc1.weight (adam) produced NaN at element 3
 * </pre>
 *
 * It is unchecked (an {@link ArithmeticException}); the model's state is as the failing step left it.
 */
public final class AnomalyException extends ArithmeticException {
    /** Where the value was found. */
    public enum Pass { INPUT, PARAMETER, FORWARD, BACKWARD, UPDATE }

    private final Pass pass;
    private final String source;
    private final int line;
    private final int column;
    private final String op;
    private final String name;
    private final double value;
    private final long index;

    AnomalyException(String message, Pass pass, String source, int line, int column, String op, String name,
                     double value, long index) {
        super(message);
        this.pass = pass;
        this.source = source;
        this.line = line;
        this.column = column;
        this.op = op;
        this.name = name;
        this.value = value;
        this.index = index;
    }

    public Pass pass() {
        return pass;
    }

    /** The {@code .mdl} file the class was compiled from, or null when it is not known. */
    public String source() {
        return source;
    }

    /** The op's line in {@link #source()}, 1-based; 0 for inputs, parameters, updates and ops without a position. */
    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** The op that made the value ({@code log %5}, {@code div %12 (gradient of sqrt)}); null for inputs and updates. */
    public String op() {
        return op;
    }

    /**
     * The input or parameter holding the value, for {@link Pass#INPUT}, {@link Pass#PARAMETER} and
     * {@link Pass#UPDATE}; else null.
     */
    public String name() {
        return name;
    }

    /** The non-finite value: NaN, or positive or negative infinity. */
    public double value() {
        return value;
    }

    /** The element's index, row-major, in the value the op made (or in the input or parameter). */
    public long index() {
        return index;
    }
}
