package dev.modelc.runtime.data;

import java.io.IOException;

/**
 * Data that cannot be read or does not fit the model: a malformed IDX or CSV file, a directory without a known
 * dataset, an array whose shape is not what a model input declares. Checked, as an {@link IOException}, because it
 * comes from files the user supplies; the message is meant to be shown as it is and always starts with the file
 * ({@code data/train.csv:3:14: ...} for a position in a text file, {@code data/train.csv: ...} otherwise).
 */
public class DataException extends IOException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
