package dev.modelc.runtime.kernels;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The warm-up rent of a Vector API loop that replaces a plain one: units of work (outputs, elements) the plain loop
 * takes before the vector loop does. Vector API code costs a JVM a one-time warm-up: until C2 has compiled it, it
 * runs interpreted or C1-compiled with every vector an object, the library's fallback code gets hot and compiled,
 * and its lambda classes are spun; C2's own compile of a unit of many shuffles takes tenths of a second on JDK 17.
 * So the plain loop is rented until its extra cost would have paid for that warm-up, and then the vector loop is
 * bought: a run never pays more than about twice what the better of the two choices would have cost it in
 * hindsight (a short run never switches; a long one switches once). One instance per loop and JVM, counted without
 * ordering by any thread (a lost update only delays the switch).
 *
 * <p>Two loops rent (docs/kernels.md):
 * <ul>
 *   <li>the max-pooling blocks ({@link VectorPoolRows}, {@link VectorPoolRows512}): warm-up 0.3-0.4 s in one
 *       pinned epoch of the CNN, about 4.3 ns saved an output, so {@link #POOL_RENT} outputs
 *       ({@link #POOL_PROPERTY});</li>
 *   <li>the products' packing of a B stored transposed in squares ({@link VectorTransposes}): C2 compiled the f32
 *       square in 0.29 s of the pinned epoch, and it saves about 0.2 ns an element packed, so {@link #SQUARES_RENT}
 *       elements ({@link #SQUARES_PROPERTY}).</li>
 * </ul>
 */
final class WarmupRent {

    /** The pooling blocks' default rent in outputs. */
    static final long POOL_RENT = 1L << 26;

    /**
     * The system property that sets the pooling blocks' rent in outputs ({@code 0}: the blocks from the first call),
     * for runs that measure the steady state (the benchmarks) or know they will be long.
     */
    static final String POOL_PROPERTY = "modelc.poolRent";

    /** The transposing squares' default rent in elements packed. */
    static final long SQUARES_RENT = 1L << 31;

    /** The system property that sets the squares' rent in elements ({@code 0}: the squares from the first call). */
    static final String SQUARES_PROPERTY = "modelc.transposeRent";

    private long rent;
    private long plainUnits;

    WarmupRent(long rent) {
        this.rent = rent;
    }

    /**
     * A new rent for the transposing squares of one product kernel: {@link #SQUARES_PROPERTY}'s value, else
     * {@link #SQUARES_RENT}. Each element type's kernel keeps its own.
     */
    static WarmupRent squares() {
        return new WarmupRent(fromProperty(SQUARES_PROPERTY, SQUARES_RENT));
    }

    /** The pooling blocks' rent in outputs: {@link #POOL_PROPERTY}'s value, else {@link #POOL_RENT}. */
    static long poolOutputs() {
        return fromProperty(POOL_PROPERTY, POOL_RENT);
    }

    /** The settings already warned about ({@code property=value}): each is warned once per JVM. */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    /**
     * The value of {@code property} when it is a whole number >= 0, else {@code defaultRent} (with a warning when
     * the property is set to something else, once however many loops read it: the f32 and f64 kernels each keep a
     * squares rent).
     */
    static long fromProperty(String property, long defaultRent) {
        String value = System.getProperty(property);
        if (value == null) {
            return defaultRent;
        }
        try {
            long units = Long.parseLong(value.trim());
            if (units >= 0) {
                return units;
            }
        } catch (NumberFormatException e) {
            // warned below
        }
        if (WARNED.add(property + "=" + value)) {
            System.err.println("modelc: warning: -D" + property + "=" + value
                    + " is not a count (a whole number >= 0); using " + defaultRent);
        }
        return defaultRent;
    }

    /** The units the plain loop takes in all. */
    long rent() {
        return rent;
    }

    /** Whether the plain loop still takes these {@code n} units: until it has taken the rent. */
    boolean renting(int n) {
        if (plainUnits >= rent) {
            return false;
        }
        plainUnits += n;
        return true;
    }

    /** Whether the rent is paid ({@link #renting} without counting). */
    boolean bought() {
        return plainUnits >= rent;
    }

    /** Starts over with {@code newRent} units to rent (tests drive both loops of one JVM with it). */
    void reset(long newRent) {
        rent = newRent;
        plainUnits = 0;
    }
}
