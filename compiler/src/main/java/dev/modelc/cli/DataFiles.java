package dev.modelc.cli;

import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.data.DataException;
import dev.modelc.runtime.data.Dataset;
import dev.modelc.runtime.io.ArrayFile;
import dev.modelc.runtime.io.Checkpoint;
import dev.modelc.runtime.io.SafeTensors;
import dev.modelc.runtime.io.Weights;
import dev.modelc.runtime.io.WeightsFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reading and writing the files of {@code train}, {@code eval} and {@code predict}, with the failures a user can
 * cause turned into {@link UserError}s that name the file ({@code DataException} and
 * {@code WeightsFormatException} messages already start with it and are kept as they are).
 */
final class DataFiles {
  private DataFiles() {}

  /** Something that reads or writes a file. */
  @FunctionalInterface
  interface Io<T> {
    T call() throws IOException;
  }

  /** Runs {@code body}; an I/O failure becomes a UserError about {@code file} (the runtime's name it themselves). */
  static <T> T io(Path file, Io<T> body) {
    try {
      return body.call();
    } catch (DataException | WeightsFormatException e) {
      throw new UserError(e.getMessage(), e);
    } catch (NoSuchFileException e) {
      throw new UserError(file + ": no such file or directory");
    } catch (AccessDeniedException e) {
      throw new UserError(file + ": permission denied");
    } catch (IOException e) {
      throw new UserError(file + ": " + e.getMessage(), e);
    }
  }

  /** The training (or only) data at {@code path}; the reader's notes go to {@code err}. */
  static Dataset open(Path path, PrintWriter err) {
    return noted(io(path, () -> Dataset.open(path)), err);
  }

  /** Prints the dataset's notes (a plain IDX file read instead of its .gz) as {@code modelc: note: ...}. */
  private static Dataset noted(Dataset d, PrintWriter err) {
    for (String note : d.notes()) {
      err.println("modelc: note: " + note);
    }
    err.flush();
    return d;
  }

  /** True when {@code path} is a directory holding the IDX held-out pair ({@code t10k-*}). */
  static boolean hasHeldOut(Path path) {
    return dev.modelc.runtime.data.Idx.hasPair(path, true);
  }

  static Dataset openHeldOut(Path dir, PrintWriter err) {
    return noted(io(dir, () -> Dataset.openHeldOut(dir)), err);
  }

  /**
   * Loads the parameters of a weights file ({@code Weights.save}'s safetensors or npz: every parameter by name,
   * strictly) or of a checkpoint (its parameter tensors); returns a phrase saying which it was.
   */
  static String loadWeights(Model model, Path file) {
    return io(file, () -> {
      if (!file.getFileName().toString().endsWith(".npz")) {
        ArrayFile content = SafeTensors.read(file);
        if (Checkpoint.isCheckpoint(content)) {
          Checkpoint ck = Checkpoint.of(content, file.toString());
          if (!ck.model().equals(model.name())) {
            throw new UserError(file + ": a checkpoint of model " + ck.model() + ", not " + model.name());
          }
          Weights.load(model, ck.parameters(), file.toString(), true);
          return "checkpoint, epoch " + ck.epoch() + ", step " + ck.step();
        }
        Weights.load(model, content, file.toString(), true);
        return "weights";
      }
      Weights.load(model, file);
      return "weights";
    });
  }

  /** For a directory, the held-out IDX pair if there is one, else the training pair; otherwise the file. */
  static Dataset openForEvaluation(Path path, PrintWriter err) {
    return hasHeldOut(path) ? openHeldOut(path, err) : open(path, err);
  }
}
