package dev.modelc.runtime.train;

import java.util.function.IntToDoubleFunction;

/**
 * The built-in schedules of {@link Schedule}, each with a {@link Schedule#firstNonFinite} that evaluates the rate
 * at a few epochs instead of every one: a run may count up to 2^31 steps, and a loop over them took minutes.
 *
 * <ol>
 *   <li>{@code step}, {@code exp} and {@code linear} are monotone: {@code |lr(t)|} never decreases or never
 *       increases in {@code t} (the floating-point operations they chain are monotone, {@code Math.pow} included),
 *       so the epochs where the rate is not finite are a prefix or a suffix of any range. Two evaluations say which,
 *       and a binary search finds where a suffix begins.
 *   <li>{@code cosine} is {@code etaMin + (base - etaMin) * (1 + c) / 2} with {@code c = cos(pi t / T)} in
 *       {@code [-1, 1]}; each operation is monotone in {@code c}, so if the rate at {@code c = 1} is finite, every
 *       rate is. Otherwise (only a base or floor beyond about 8.99e307 gets there) each half period is monotone and
 *       is searched as above, one after the other.
 *   <li>a sequence asks each part about its own range of epochs.
 * </ol>
 */
final class ClosedForms {
    private ClosedForms() {}

    /** A schedule whose {@code |lr(t)|} moves one way only as {@code t} grows. */
    record Monotone(IntToDoubleFunction rate) implements Schedule {
        @Override
        public double lr(int t) {
            return rate.applyAsDouble(t);
        }

        @Override
        public int firstNonFinite(int from, int to) {
            return monotone(this, Math.max(0, from), to);
        }
    }

    /** {@code CosineAnnealingLR}'s closed form. */
    record Cosine(double base, int tMax, double etaMin) implements Schedule {
        @Override
        public double lr(int t) {
            return at(Math.cos(Math.PI * t / tMax));
        }

        private double at(double c) {
            return etaMin + (base - etaMin) * (1 + c) / 2;
        }

        @Override
        public int firstNonFinite(int from, int to) {
            if (Double.isFinite(at(1))) {
                return -1;
            }
            for (long lo = Math.max(0, from); lo < to; ) {
                long hi = Math.min(to, (lo / tMax + 1) * tMax);    // the end of lo's half period
                int t = monotone(this, (int) lo, (int) hi);
                if (t >= 0) {
                    return t;
                }
                lo = hi;
            }
            return -1;
        }
    }

    /** {@code first} for {@code t < milestone}, then {@code next} from its own epoch 0. */
    record Sequence(Schedule first, int milestone, Schedule next) implements Schedule {
        @Override
        public double lr(int t) {
            return t < milestone ? first.lr(t) : next.lr(t - milestone);
        }

        @Override
        public int firstNonFinite(int from, int to) {
            from = Math.max(0, from);
            if (from < milestone) {
                int t = first.firstNonFinite(from, Math.min(to, milestone));
                if (t >= 0) {
                    return t;
                }
            }
            if (to <= milestone) {
                return -1;
            }
            int t = next.firstNonFinite(Math.max(from, milestone) - milestone, to - milestone);
            return t < 0 ? -1 : t + milestone;
        }
    }

    /**
     * The first {@code t} in {@code [from, to)} where {@code s} is not finite, for {@code s} monotone there: the
     * non-finite epochs are then a prefix (found at {@code from}) or a suffix (found by bisection), or none.
     */
    private static int monotone(Schedule s, int from, int to) {
        if (from >= to) {
            return -1;
        }
        if (!Double.isFinite(s.lr(from))) {
            return from;
        }
        if (Double.isFinite(s.lr(to - 1))) {
            return -1;
        }
        int finite = from;                                        // lr(finite) is finite, lr(infinite) is not
        int infinite = to - 1;
        while (infinite - finite > 1) {
            int mid = finite + (infinite - finite) / 2;
            if (Double.isFinite(s.lr(mid))) {
                finite = mid;
            } else {
                infinite = mid;
            }
        }
        return infinite;
    }
}
