package dev.modelc.cli;

import dev.modelc.api.GeneratedClass;
import dev.modelc.api.Modelc;
import dev.modelc.api.Options;
import dev.modelc.api.Result;
import dev.modelc.codegen.CompiledClass;
import dev.modelc.runtime.api.CompiledModel;
import dev.modelc.runtime.api.Model;
import dev.modelc.runtime.api.TensorSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A {@code .mdl} model compiled in this process for {@code train}, {@code eval} and {@code predict} through the
 * compile API ({@link Modelc}), its diagnostics reported as {@code compile} reports them, and the class defined in a
 * fresh class loader.
 * Also the model's source hash (SHA-256 of the file's bytes), which checkpoints record.
 */
final class LoadedModel {
  final Path file;
  final String sha256;
  final Class<? extends Model> type;
  final long compileNanos;

  private LoadedModel(Path file, String sha256, Class<? extends Model> type, long compileNanos) {
    this.file = file;
    this.sha256 = sha256;
    this.type = type;
    this.compileNanos = compileNanos;
  }

  /** Compiles {@code modelName} of {@code file} (or its only model); null after reporting errors to {@code err}. */
  static LoadedModel compile(Path file, String modelName, GlobalOptions options, PrintWriter err) {
    long start = System.nanoTime();
    Result result = Modelc.compile(file, Options.defaults());
    boolean json = options.diagnostics == GlobalOptions.DiagnosticsFormat.json;
    err.print(json ? result.json() : result.text());
    if (!result.ok()) {
      if (!json) {
        err.println(result.errorCount() + (result.errorCount() == 1 ? " error" : " errors"));
      }
      err.flush();
      return null;
    }
    err.flush();
    List<GeneratedClass> models = result.classes();
    GeneratedClass chosen = null;
    for (GeneratedClass c : models) {
      if (modelName == null ? models.size() == 1 : c.modelName().equals(modelName)) {
        chosen = c;
      }
    }
    if (chosen == null) {
      List<String> names = models.stream().map(GeneratedClass::modelName).toList();
      throw new UserError(file + ": " + (models.isEmpty() ? "the file has no model"
          : modelName == null ? "the file has models " + String.join(", ", names) + "; choose one with --model"
          : "no model " + modelName + "; the file has " + String.join(", ", names)));
    }
    String hash;
    try {
      hash = sha256(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UserError(file + ": cannot read: " + e.getMessage(), e);
    }
    return new LoadedModel(file, hash, define(chosen), System.nanoTime() - start);
  }

  /**
   * Defines the class in a new class loader whose parent holds the runtime; a class the JVM rejects is an internal
   * error naming the model ({@link CompiledClass#define}).
   */
  private static Class<? extends Model> define(GeneratedClass c) {
    return CompiledClass.define(c.modelName(), c.className(), c.bytecode());
  }

  /**
   * A new instance with parameters initialized from {@code seed}: what the seeded constructor does
   * ({@code this(false); initialize(seed)}), also for a model without params, which has no such constructor.
   */
  Model create(long seed) {
    Model m = uninitialized();
    m.initialize(seed);
    return m;
  }

  /** A new instance with every parameter zero, for loading weights or a checkpoint. */
  Model uninitialized() {
    try {
      return (Model) type.getMethod("uninitialized").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + type.getName(), e);
    }
  }

  /** The inputs inference reads (a loss's labels are not among them). */
  static List<TensorSpec> predictInputs(Model model) {
    return model instanceof CompiledModel c ? c.predictInputs() : model.inputs();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
