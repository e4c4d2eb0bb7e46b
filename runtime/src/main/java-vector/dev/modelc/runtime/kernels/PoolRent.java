package dev.modelc.runtime.kernels;

/**
 * The warm-up rent of the Vector API max-pooling blocks ({@link VectorPoolRows}, {@link VectorPoolRows512}): outputs
 * the plain loop takes before the blocks do. Vector API code costs a JVM a one-time warm-up: until C2 has compiled
 * it, it runs interpreted or C1-compiled with every vector an object, the library's fallback code gets hot and
 * compiled, and its lambda classes are spun; for the 256-bit blocks that cost one epoch of the CNN (938 steps of
 * 55,296 outputs, pinned to one core) 0.3-0.4 s, while once compiled they save about 4.3 ns an output (337 -> 97 µs
 * per CNN pooling call). So the plain loop is rented until its outputs would have paid for that warm-up (about 80
 * million), and then the blocks are bought: a run never pays more than about twice what the better of the two
 * choices would have cost it in hindsight (a run of one epoch never switches; a long one switches early in its
 * second epoch). One instance per JVM, counted without ordering by any thread (a lost update only delays the switch).
 */
final class PoolRent {

    /** The default rent in outputs. */
    static final long RENT = 1L << 26;

    /**
     * The system property that sets the rent in outputs ({@code 0}: the blocks from the first call), for runs that
     * measure the steady state (the benchmarks) or know they will be long.
     */
    static final String RENT_PROPERTY = "modelc.poolRent";

    private final long rent;
    private long plainOutputs;

    PoolRent(long rent) {
        this.rent = rent;
    }

    /** {@link #RENT}, or {@link #RENT_PROPERTY} when set to a count of outputs (else a warning and the default). */
    static long fromProperty() {
        String value = System.getProperty(RENT_PROPERTY);
        if (value == null) {
            return RENT;
        }
        try {
            long outputs = Long.parseLong(value.trim());
            if (outputs >= 0) {
                return outputs;
            }
        } catch (NumberFormatException e) {
            // warned below
        }
        System.err.println("modelc: warning: -D" + RENT_PROPERTY + "=" + value
                + " is not a count of outputs (a whole number >= 0); using " + RENT);
        return RENT;
    }

    /** Whether the plain loop still takes these {@code n} outputs: until it has taken the rent. */
    boolean renting(int n) {
        if (plainOutputs >= rent) {
            return false;
        }
        plainOutputs += n;
        return true;
    }

    /** Whether the rent is paid ({@link #renting} without counting). */
    boolean bought() {
        return plainOutputs >= rent;
    }
}
