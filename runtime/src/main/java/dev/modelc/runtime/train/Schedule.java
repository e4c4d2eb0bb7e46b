package dev.modelc.runtime.train;

/**
 * A learning-rate schedule as a pure function of the epoch (or step) number {@code t = 0, 1, ...}, with the closed
 * forms of PyTorch's {@code torch.optim.lr_scheduler} classes, so a run can be restarted at any epoch without
 * replaying the schedule:
 * <ul>
 *   <li>{@link #step}: {@code StepLR}, {@code base * gamma^floor(t / stepSize)};
 *   <li>{@link #exponential}: {@code ExponentialLR}, {@code base * gamma^t};
 *   <li>{@link #cosine}: {@code CosineAnnealingLR}'s closed form,
 *       {@code etaMin + (base - etaMin) * (1 + cos(pi t / tMax)) / 2} (periodic after {@code tMax});
 *   <li>{@link #linear}: {@code LinearLR}, {@code base * (start + (end - start) * min(t, iters) / iters)};
 *   <li>{@link #then}: {@code SequentialLR} with one milestone m: this schedule for {@code t < m}, then the next
 *       one restarted, {@code next.lr(t - m)}.
 * </ul>
 *
 * <p><b>Text form</b> ({@link #parse}), for a command line flag such as {@code --schedule step:size=2,gamma=0.5}:
 * a kind, optionally {@code :} and comma-separated {@code key=value} pairs; parts joined with {@code +} run one
 * after the other.
 * <pre>
 *   constant
 *   step:size=2,gamma=0.5          (gamma defaults to 0.1, as StepLR)
 *   exp:gamma=0.9                  (or exponential:)
 *   cosine:T=10,min=0.0001         (T is T_max; min, eta_min, defaults to 0)
 *   linear:start=0.1,end=1,iters=5 (defaults 1/3, 1, 5, as LinearLR)
 *   linear:start=0.1,iters=5+cosine:T=45
 * </pre>
 * In a composition every part but the last needs a length: {@code for=N}, which {@code linear} defaults to its
 * {@code iters}. Unknown kinds or keys, missing values, malformed numbers and values PyTorch's schedulers refuse or
 * that would make the rate negative (a negative {@code gamma} or {@code min}, a {@code LinearLR} factor outside
 * {@code (0, 1]} or {@code [0, 1]}, a length below 1) are errors naming the part and the key.
 *
 * <p><b>Finite rates.</b> A {@code gamma} above 1 is allowed, as PyTorch allows it, but makes the rate grow without
 * bound: {@code base * gamma^t} overflows to infinity once t is large enough. Whether it does within a run depends
 * on the run's length, which a schedule does not know: {@link #checkFinite} (or {@link #firstNonFinite}) checks it
 * for a number of epochs or steps, as {@code modelc train} does before training.
 */
@FunctionalInterface
public interface Schedule {
    /** The learning rate at epoch (or step) {@code t >= 0}. */
    double lr(int t);

    static Schedule constant(double base) {
        return new ClosedForms.Monotone(t -> base);
    }

    static Schedule step(double base, int stepSize, double gamma) {
        positive(stepSize, "step size");
        atLeastZero(gamma, "gamma");
        return new ClosedForms.Monotone(t -> power(base, gamma, Math.floorDiv(t, stepSize)));
    }

    static Schedule exponential(double base, double gamma) {
        atLeastZero(gamma, "gamma");
        return new ClosedForms.Monotone(t -> power(base, gamma, t));
    }

    static Schedule cosine(double base, int tMax, double etaMin) {
        positive(tMax, "T_max");
        atLeastZero(etaMin, "eta_min");
        return new ClosedForms.Cosine(base, tMax, etaMin);
    }

    static Schedule linear(double base, double startFactor, double endFactor, int totalIters) {
        positive(totalIters, "total_iters");
        LinearFactors.check(startFactor, "start_factor", Double.toString(startFactor), endFactor, "end_factor",
                Double.toString(endFactor));
        return new ClosedForms.Monotone(t -> base * (startFactor + (endFactor - startFactor) * Math.min(t, totalIters)
                / totalIters));
    }

    /**
     * The first {@code t} in {@code [from, to)} at which {@link #lr} is not a finite number, or -1 when there is
     * none. A factor above 1 ({@code exponential(0.1, 2)}, or {@code step} with such a {@code gamma}) makes the rate
     * overflow to infinity after enough epochs (here at {@code t = 1020}), and training on an infinite rate turns
     * every parameter into NaN without an error. The schedules built here ({@link #step}, {@link #parse} and the
     * others) answer from their closed forms with a few evaluations, whatever the range; a schedule of your own
     * (a lambda) is evaluated at each {@code t}, unless it overrides this method.
     */
    default int firstNonFinite(int from, int to) {
        for (int t = Math.max(0, from); t < to; t++) {
            if (!Double.isFinite(lr(t))) {
                return t;
            }
        }
        return -1;
    }

    /**
     * This schedule, once checked to give a finite rate at every {@code t < count} (the epochs, or steps, of a run);
     * otherwise an {@code IllegalArgumentException} naming the first {@code t} and the rate there:
     * {@code the learning rate is not finite within t < 2000: lr(1020) = Infinity (lr(1019) = 8.98846567431158E307)}.
     * What {@code modelc train} checks before it trains.
     */
    default Schedule checkFinite(int count) {
        int t = firstNonFinite(0, count);
        if (t >= 0) {
            throw new IllegalArgumentException("the learning rate is not finite within t < " + count + ": lr(" + t
                    + ") = " + lr(t) + (t > 0 ? " (lr(" + (t - 1) + ") = " + lr(t - 1) + ")" : ""));
        }
        return this;
    }

    /** This schedule for {@code t < milestone}, then {@code next} from its own epoch 0. */
    default Schedule then(int milestone, Schedule next) {
        return new ClosedForms.Sequence(this, milestone, next);
    }

    /** Builds a schedule from its text form (see the interface comment) around the optimizer's base rate. */
    static Schedule parse(String text, double base) {
        String[] parts = parts(text);
        Schedule result = null;
        int milestone = 0;
        for (int i = 0; i < parts.length; i++) {
            ScheduleText p = ScheduleText.parse(parts[i].trim());
            Schedule s;
            try {
                s = p.build(base);
            } catch (IllegalArgumentException e) {
                throw e.getMessage().startsWith("schedule part ") ? e
                        : new IllegalArgumentException("schedule part '" + p.text + "': " + e.getMessage(), e);
            }
            Integer length = p.length();
            if (i < parts.length - 1 && length == null) {
                throw new IllegalArgumentException("schedule part '" + p.text + "' is followed by another, so it "
                        + "needs a length: add for=N");
            }
            result = result == null ? s : result.then(milestone, s);
            if (length != null) {
                milestone += length;
            }
        }
        return result;
    }

    /**
     * The kind of the part of a schedule's text form (which {@link #parse} accepts) in effect at {@code t}:
     * {@code constant}, {@code step}, {@code exp} (also for {@code exponential}), {@code cosine} or {@code linear}; so
     * a message about the rate at {@code t} can speak of what that part computes ({@code gamma} for step and exp).
     */
    static String kindAt(String text, int t) {
        String[] parts = parts(text);
        int milestone = 0;
        for (int i = 0; i < parts.length; i++) {
            ScheduleText p = ScheduleText.parse(parts[i].trim());
            Integer length = p.length();
            if (i == parts.length - 1 || length == null || t < milestone + length) {
                return p.kind.equals("exponential") ? "exp" : p.kind;
            }
            milestone += length;
        }
        throw new AssertionError("unreachable");
    }

    /** The parts of a schedule's text form, split at each {@code +} that starts another part's kind. */
    private static String[] parts(String text) {
        return text.trim().split("\\+(?=[a-zA-Z])");
    }

    /**
     * {@code base * gamma^n} as PyTorch's chained form multiplies it out: finite as long as the product is, although
     * {@code gamma^n} alone may overflow first (0.1 * 2^1027), and 0 for a base of 0.
     */
    private static double power(double base, double gamma, int n) {
        if (base == 0) {
            return base;                                          // not 0 * infinity
        }
        double p = Math.pow(gamma, n);
        return Double.isFinite(p) ? base * p : base * Math.pow(gamma, n / 2) * Math.pow(gamma, n - n / 2);
    }

    /** A factor or floor below zero would make the learning rate negative part way through a run. */
    private static void atLeastZero(double value, String what) {
        if (!(value >= 0 && Double.isFinite(value))) {
            throw new IllegalArgumentException(what + " must be a number >= 0 (the learning rate must not become "
                    + "negative), got " + value);
        }
    }

    private static void positive(int value, String what) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + value);
        }
    }
}
