package dev.modelc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each schedule against values worked out by hand from PyTorch's closed forms (the formulas in the
 * {@code torch.optim.lr_scheduler} documentation), written here as literals.
 */
class ScheduleTest {
    private static final double EPS = 1e-15;

    @Test
    void stepLR() {
        Schedule s = Schedule.step(0.1, 2, 0.5);
        double[] expected = {0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125};
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t], s.lr(t), EPS, "t=" + t);
        }
    }

    @Test
    void exponentialLR() {
        Schedule s = Schedule.exponential(0.1, 0.9);
        assertEquals(0.1, s.lr(0), EPS);
        assertEquals(0.09, s.lr(1), EPS);
        assertEquals(0.081, s.lr(2), EPS);
        assertEquals(0.0729, s.lr(3), EPS);
    }

    @Test
    void cosineAnnealingLR() {
        Schedule s = Schedule.cosine(0.1, 10, 0.001);
        assertEquals(0.1, s.lr(0), EPS);
        // 0.001 + 0.099 * (1 + cos(0.3 pi)) / 2, cos(0.3 pi) = 0.5877852522924731
        assertEquals(0.07959536998847742, s.lr(3), 1e-15);
        assertEquals(0.0505, s.lr(5), 1e-15);
        assertEquals(0.001, s.lr(10), 1e-15);
        assertEquals(s.lr(9), s.lr(11), 1e-15);
    }

    @Test
    void linearLR() {
        Schedule s = Schedule.linear(0.1, 0.25, 1.0, 4);
        double[] expected = {0.025, 0.04375, 0.0625, 0.08125, 0.1, 0.1};
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t], s.lr(t), 1e-15, "t=" + t);
        }
    }

    @Test
    void warmUpThenCosine() {
        Schedule s = Schedule.linear(0.1, 0.1, 1.0, 3).then(3, Schedule.cosine(0.1, 4, 0));
        assertEquals(0.01, s.lr(0), 1e-15);
        assertEquals(0.04, s.lr(1), 1e-15);
        assertEquals(0.07, s.lr(2), 1e-15);
        assertEquals(0.1, s.lr(3), 1e-15);
        assertEquals(0.05, s.lr(5), 1e-15);
        assertEquals(0.0, s.lr(7), 1e-15);
    }

    @Test
    void parsedFormsMatchTheFactories() {
        assertEquals(0.025, Schedule.parse("step:size=2,gamma=0.5", 0.1).lr(5), EPS);
        assertEquals(0.01, Schedule.parse("step:size=3", 0.1).lr(3), EPS);
        assertEquals(0.081, Schedule.parse("exp:gamma=0.9", 0.1).lr(2), EPS);
        assertEquals(0.0505, Schedule.parse("cosine:T=10,min=0.001", 0.1).lr(5), 1e-15);
        assertEquals(0.0505, Schedule.parse("cosine:T_max=10,eta_min=0.001", 0.1).lr(5), 1e-15);
        assertEquals(0.1 / 3, Schedule.parse("linear", 0.1).lr(0), 1e-15);
        assertEquals(0.3, Schedule.parse("constant", 0.3).lr(99), EPS);
        Schedule seq = Schedule.parse("linear:start=0.1,iters=3+cosine:T=4", 0.1);
        assertEquals(0.07, seq.lr(2), 1e-15);
        assertEquals(0.05, seq.lr(5), 1e-15);
        Schedule three = Schedule.parse("constant:for=2+step:size=1,gamma=0.5,for=2+exp:gamma=1", 1);
        assertEquals(1, three.lr(1), EPS);
        assertEquals(0.5, three.lr(3), EPS);
        assertEquals(1, three.lr(4), EPS);
    }

    @Test
    void badTextSaysWhatIsWrong() {
        assertMessage("warp:x=1", "unknown kind 'warp'");
        assertMessage("step:gamma=0.5", "step needs size=");
        assertMessage("step:size=2,gama=0.5", "unknown key 'gama' for step");
        assertMessage("cosine:T=ten", "T=ten is not an integer");
        assertMessage("exp:gamma", "expected key=value, got 'gamma'");
        assertMessage("cosine:T=10+step:size=1", "needs a length: add for=N");
        assertMessage("step:size=0", "step size must be at least 1");
    }

    /** Values that would turn the rate negative part way through a run, or that PyTorch's LinearLR refuses. */
    @Test
    void parametersThatWouldMakeTheRateNegativeAreRefused() {
        assertMessage("exp:gamma=-1", "schedule part 'exp:gamma=-1': gamma must be >= 0");
        assertMessage("step:size=2,gamma=-0.5", "gamma must be >= 0 (the learning rate must not become negative), "
                + "got -0.5");
        assertMessage("cosine:T=2,min=-5", "min must be >= 0");
        assertMessage("cosine:T=2,eta_min=-5", "eta_min must be >= 0");
        assertMessage("linear:start=-1", "start must be greater than 0 and at most 1 (LinearLR's start_factor), "
                + "got -1");
        assertMessage("linear:start=0", "start must be greater than 0");
        assertMessage("linear:start_factor=2", "start_factor must be greater than 0 and at most 1");
        assertMessage("linear:end=1.5", "end must be between 0 and 1");
        assertMessage("constant:for=-1+exp:gamma=0.9", "schedule part 'constant:for=-1': for must be at least 1");
        assertMessage("exp:gamma=nan", "gamma=nan is not a number");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedule.exponential(1, -1));
        assertTrue(e.getMessage().startsWith("gamma must be a number >= 0"), e.getMessage());
        assertEquals(0, Schedule.parse("step:size=1,gamma=0", 0.1).lr(1), EPS);
        assertEquals(0.1, Schedule.parse("linear:start=1,end=0", 0.1).lr(0), EPS);
    }

    /** LinearLR's factor checks, worded for each audience: the API's parameter names, the text form's keys. */
    @Test
    void linearFactorsAreNamedAsTheCallerWroteThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schedule.linear(0.1, -1, 1, 5));
        assertEquals("start_factor must be greater than 0 and at most 1, got -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedule.linear(0.1, 0.5, 2, 5));
        assertEquals("end_factor must be between 0 and 1, got 2.0", e.getMessage());
        assertMessage("linear:start=-1", "schedule part 'linear:start=-1': start must be greater than 0 and at most "
                + "1 (LinearLR's start_factor), got -1");
        assertMessage("linear:end=1.5", "schedule part 'linear:end=1.5': end must be between 0 and 1 (LinearLR's "
                + "end_factor), got 1.5");
        assertMessage("linear:end_factor=-1e-9", "schedule part 'linear:end_factor=-1e-9': end_factor must be "
                + "between 0 and 1, got -1e-9");
    }

    /** A factor above 1 overflows the rate after enough epochs: found, with the epoch and the value. */
    @Test
    void aRateThatOverflowsIsFoundAndReported() {
        Schedule exp = Schedule.exponential(0.1, 2);
        assertEquals(-1, exp.firstNonFinite(0, 1000));
        // 0.1 * 2^1027 is still finite (2^1027 alone is not), 0.1 * 2^1028 is not
        assertEquals(1028, exp.firstNonFinite(0, 2000));
        assertEquals(1500, exp.firstNonFinite(1500, 2000));
        assertEquals(0, Schedule.exponential(0, 2).lr(5000));
        assertEquals(exp, exp.checkFinite(1000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> exp.checkFinite(2000));
        assertEquals("the learning rate is not finite within t < 2000: lr(1028) = Infinity (lr(1027) = "
                + "1.4381545078898528E308)", e.getMessage());
        assertEquals(10, Schedule.step(1, 5, 1e200).firstNonFinite(0, 100));
        assertEquals(5, Schedule.parse("constant:for=3+exp:gamma=1e300", 1).firstNonFinite(0, 10));
        assertEquals(-1, Schedule.cosine(1e308, 10, 1e308).firstNonFinite(0, 100));
        assertEquals(2, ((Schedule) t -> t == 2 ? Double.NaN : 1).firstNonFinite(0, 5));
    }

    /** Which part of a composition is in effect at t, so a message can name what that part computes. */
    @Test
    void theKindInEffectAtAnEpochIsKnown() {
        String text = "constant:for=3+exponential:gamma=2,for=2+linear:start=0.5,iters=4+cosine:T=10";
        assertEquals(List.of("constant", "constant", "constant", "exp", "exp", "linear", "linear", "linear", "linear",
                "cosine", "cosine"), java.util.stream.IntStream.range(0, 11).mapToObj(t -> Schedule.kindAt(text, t))
                .toList());
        assertEquals("step", Schedule.kindAt("step:size=2", 1000));
    }

    /**
     * The built-in schedules find the first infinite rate from their closed forms, without a loop over every epoch
     * or step: a range of 2^31 steps is answered at once, and every answer is the one a loop over each t gives.
     */
    @Test
    void theFirstInfiniteRateIsFoundWithoutVisitingEveryStep() {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertEquals(-1, Schedule.exponential(0.1, 1.0000001).firstNonFinite(0, Integer.MAX_VALUE));
            assertEquals(-1, Schedule.step(0.1, 3, 1.0000001).firstNonFinite(0, Integer.MAX_VALUE));
            assertEquals(-1, Schedule.cosine(0.1, 7, 0).firstNonFinite(1, Integer.MAX_VALUE));
            assertEquals(-1, Schedule.linear(0.1, 0.5, 1, 1_000_000_000).firstNonFinite(5, Integer.MAX_VALUE));
            assertEquals(-1, Schedule.parse("linear:iters=3+cosine:T=1000000", 0.1)
                    .firstNonFinite(0, Integer.MAX_VALUE));
            assertEquals(1028, Schedule.exponential(0.1, 2).firstNonFinite(0, Integer.MAX_VALUE));
            assertEquals(1_600_000_000, Schedule.exponential(Double.MAX_VALUE / 2, 1 + 1e-9)
                    .firstNonFinite(1_600_000_000, Integer.MAX_VALUE));
        });
        List<Schedule> schedules = List.of(Schedule.exponential(0.1, 2), Schedule.exponential(1e300, 1.5),
                Schedule.step(1, 5, 1e200), Schedule.step(1e308, 1, 0), Schedule.exponential(Double.NaN, 0.5),
                Schedule.constant(Double.POSITIVE_INFINITY), Schedule.constant(0.1),
                Schedule.linear(1.7e308, 0.5, 1, 20), Schedule.linear(1.7e308, 1, 0.5, 20),
                Schedule.cosine(1e308, 10, 0), Schedule.cosine(1.79e308, 3, 0), Schedule.cosine(-1e308, 4, 1e308),
                Schedule.cosine(1e308, 10, 1e308), Schedule.parse("constant:for=3+exp:gamma=1e300", 1),
                Schedule.parse("linear:iters=4+exp:gamma=3", 1e300), Schedule.parse("cosine:T=5,for=7+step:size=2,"
                        + "gamma=10", 1e305));
        for (Schedule s : schedules) {
            for (int[] range : new int[][] {{0, 60}, {3, 60}, {11, 40}, {25, 26}, {7, 7}}) {
                assertEquals(everyStep(s, range[0], range[1]), s.firstNonFinite(range[0], range[1]),
                        s + " in " + Arrays.toString(range));
            }
        }
    }

    private static int everyStep(Schedule s, int from, int to) {
        for (int t = from; t < to; t++) {
            if (!Double.isFinite(s.lr(t))) {
                return t;
            }
        }
        return -1;
    }

    private static void assertMessage(String text, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedule.parse(text, 0.1));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
