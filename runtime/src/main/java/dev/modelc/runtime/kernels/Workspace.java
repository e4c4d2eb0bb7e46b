package dev.modelc.runtime.kernels;

/**
 * Scratch memory for the kernels: packing buffers, register-block rows, im2col columns, and the padded images,
 * wide output rows and partial sums of the stride-1 convolutions.
 *
 * <p>A kernel call takes a workspace instead of allocating. Buffers start empty and grow on the first call that
 * needs more; a steady state of calls with the same shapes therefore allocates nothing. A generated model keeps one
 * workspace per instance. A workspace must not be used by two threads at the same time.
 *
 * <p>A workspace may carry a {@link Team} of worker threads ({@link #setTeam}); then the calls generated classes
 * make through {@link Parallel} split their work among the team, each worker with a workspace of its own.
 */
public final class Workspace {

    /** What a buffer is used for; each kernel asks for its buffers by slot so that uses never overlap. */
    enum Slot { PACK_A, PACK_B, TILE, ROWS_B, ROWS_C, COLUMNS, ROW, PADDED, WIDE, SUMS, WEIGHTS, PART, TRANSPOSED_C }

    private final float[][] floats = new float[Slot.values().length][];
    private final double[][] doubles = new double[Slot.values().length][];
    private final float[][][] floatRows = new float[Slot.values().length][][];
    private final double[][][] doubleRows = new double[Slot.values().length][][];

    private Team team;

    /** Creates an empty workspace; buffers are allocated by the first calls that need them. */
    public Workspace() {
    }

    /** The team {@link Parallel} splits work among, or null for the calling thread alone. */
    public Team team() {
        return team;
    }

    /** Sets the team {@link Parallel} splits work among; null (the default) runs every call on the calling thread. */
    public void setTeam(Team team) {
        this.team = team;
    }

    float[] floats(Slot slot, int size) {
        float[] buffer = floats[slot.ordinal()];
        if (buffer == null || buffer.length < size) {
            buffer = new float[size];
            floats[slot.ordinal()] = buffer;
        }
        return buffer;
    }

    double[] doubles(Slot slot, int size) {
        double[] buffer = doubles[slot.ordinal()];
        if (buffer == null || buffer.length < size) {
            buffer = new double[size];
            doubles[slot.ordinal()] = buffer;
        }
        return buffer;
    }

    /** At least {@code rows} separate zero-based rows of at least {@code columns} elements each. */
    float[][] floatRows(Slot slot, int rows, int columns) {
        float[][] buffer = floatRows[slot.ordinal()];
        if (buffer == null) {
            buffer = new float[Math.max(rows, 1)][columns];
            floatRows[slot.ordinal()] = buffer;
        } else if (buffer.length < rows || buffer[0].length < columns) {
            // Grow in both directions at once, so calls that alternate tall and wide shapes settle.
            buffer = new float[Math.max(rows, buffer.length)][Math.max(columns, buffer[0].length)];
            floatRows[slot.ordinal()] = buffer;
        }
        return buffer;
    }

    /** At least {@code rows} separate zero-based rows of at least {@code columns} elements each. */
    double[][] doubleRows(Slot slot, int rows, int columns) {
        double[][] buffer = doubleRows[slot.ordinal()];
        if (buffer == null) {
            buffer = new double[Math.max(rows, 1)][columns];
            doubleRows[slot.ordinal()] = buffer;
        } else if (buffer.length < rows || buffer[0].length < columns) {
            // Grow in both directions at once, so calls that alternate tall and wide shapes settle.
            buffer = new double[Math.max(rows, buffer.length)][Math.max(columns, buffer[0].length)];
            doubleRows[slot.ordinal()] = buffer;
        }
        return buffer;
    }
}
