package dev.modelc.runtime.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A weights or array file (safetensors, npy, npz) that is malformed, or whose tensors do not fit a model. It is an
 * {@link IOException} because it arises from reading a file and callers already handle those; the message always
 * starts with the file and, when one is to blame, the tensor: {@code net.safetensors: tensor fc1.weight: ...}.
 */
public class WeightsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String tensor;

    public WeightsFormatException(Path file, String tensor, String problem) {
        this(String.valueOf(file), tensor, problem, null);
    }

    public WeightsFormatException(String file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    public WeightsFormatException(String file, String tensor, String problem, Throwable cause) {
        super(file + ": " + (tensor == null ? "" : "tensor " + tensor + ": ") + problem, cause);
        this.file = file;
        this.tensor = tensor;
    }

    /** The file, as given to the reader. */
    public String file() {
        return file;
    }

    /** The tensor to blame, or null when the problem is the file as a whole. */
    public String tensor() {
        return tensor;
    }
}
