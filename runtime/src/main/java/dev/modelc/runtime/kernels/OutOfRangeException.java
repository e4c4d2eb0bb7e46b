package dev.modelc.runtime.kernels;

/**
 * A label or index outside its range at a position of the integer array an op read ({@code cross_entropy: label 10
 * at position 52 is out of range [0, 10)}). It carries the value and the position, so that a caller who knows where
 * the array came from (a batch of a dataset) can name the sample, without reading the message. A part of a batch
 * split over threads counts positions from its own first row; {@link #firstRow} says which row of the whole batch
 * that is.
 */
public final class OutOfRangeException extends IllegalArgumentException {
    private final long value;
    private final int position;
    private final int firstRow;

    OutOfRangeException(String message, long value, int position) {
        this(message, value, position, 0, null);
    }

    private OutOfRangeException(String message, long value, int position, int firstRow, Throwable cause) {
        super(message, cause);
        this.value = value;
        this.position = position;
        this.firstRow = firstRow;
    }

    /** The value out of range. */
    public long value() {
        return value;
    }

    /** Its position in the array the op read, counted from {@link #firstRow}'s first element. */
    public int position() {
        return position;
    }

    /** The row of the whole batch the array's first row is (0 unless a part of a split batch threw it). */
    public int firstRow() {
        return firstRow;
    }

    /** The same finding in the part of a batch that starts at row {@code firstRow}, with a note on the message. */
    public OutOfRangeException inPart(int firstRow, String note) {
        return new OutOfRangeException(getMessage() + note, value, position, firstRow, this);
    }
}
