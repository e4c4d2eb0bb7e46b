package dev.modelc.runtime.autograd;

/**
 * The outcome of a {@link GradCheck}: whether every checked element passed, how many were checked, and the worst
 * element (the one furthest beyond, or closest to, its tolerance {@code atol + rtol * |numeric|}): which input
 * (position in the argument list), which flat element, both gradients and the errors.
 */
public record GradCheckReport(boolean passed, int checked, int inputIndex, int flatIndex, double analytic,
        double numeric, double absError, double relError) {

    @Override
    public String toString() {
        String verdict = passed ? "gradcheck passed" : "gradcheck FAILED";
        if (checked == 0) {
            return verdict + ": no input requires grad";
        }
        return String.format("%s (%d elements); worst: input %d, element %d: analytic %.10g, numeric %.10g,"
                + " abs error %.3g, rel error %.3g", verdict, checked, inputIndex, flatIndex, analytic, numeric,
                absError, relError);
    }
}
