package dev.modelc.maven;

import dev.modelc.api.Message;
import dev.modelc.api.Modelc;
import dev.modelc.api.Options;
import dev.modelc.api.Result;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code modelc:check}: checks every {@code .mdl} file under the source directory (names, dtypes, shapes,
 * initializers, optimizers) and fails the build with located diagnostics when any has errors, naming the first in
 * its message. Bound to the {@code validate} phase by default. Every file is checked: {@code compile}'s
 * {@code includes} and {@code excludes} do not apply. A folder that is not a Java package name fails as it does in
 * {@code compile}, unless {@code packageName} is set. The files of one package are checked together, with the
 * classes of the project's Java sources, so two models giving one class, or a model giving a Java source's class,
 * are errors at the model's name as in {@code compile}.
 */
@Mojo(name = "check", defaultPhase = LifecyclePhase.VALIDATE, threadSafe = true)
public final class CheckMojo extends AbstractMojo {
  /** Where the .mdl sources are. */
  @Parameter(property = "modelc.sourceDirectory", defaultValue = "${project.basedir}/src/main/mdl")
  File sourceDirectory;

  /**
   * The Java package of every generated class, as for {@code compile}; without it each file's folder must be a Java
   * package name, which is checked as {@code compile} checks it.
   */
  @Parameter(property = "modelc.packageName")
  String packageName;

  /** The project's Java source roots, whose classes no model may give (as in {@code compile}). */
  @Parameter(defaultValue = "${project.compileSourceRoots}", readonly = true)
  List<String> compileSourceRoots;

  /** Skip the check. */
  @Parameter(property = "modelc.skip", defaultValue = "false")
  boolean skip;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("modelc: skipped");
      return;
    }
    Path root = sourceDirectory.toPath();
    if (!Files.isDirectory(root)) {
      getLog().info("modelc: no model sources in " + root);
      return;
    }
    List<String> inputs;
    try {
      inputs = Sources.scan(root, List.of("**/*.mdl"), List.of());
    } catch (IOException e) {
      throw new MojoExecutionException("modelc: cannot list " + root + ": " + e.getMessage(), e);
    }
    // a folder compile would refuse fails here too
    Map<String, String> packages = AbstractCompileMojo.packages(root, inputs, packageName);
    Map<String, Path> javaClasses;
    try {
      javaClasses = Sources.javaClasses(compileSourceRoots == null ? List.of() : compileSourceRoots);
    } catch (IOException e) {
      throw new MojoExecutionException("modelc: " + e.getMessage(), e);
    }
    // one check per package, so two files giving one class, or a Java source's class, are errors as in compile
    Map<String, List<Path>> byPackage = new TreeMap<>();
    inputs.forEach(f -> byPackage.computeIfAbsent(packages.get(f), p -> new ArrayList<>()).add(root.resolve(f)));
    List<Message> messages = new ArrayList<>();
    int errors = 0;
    for (Map.Entry<String, List<Path>> e : byPackage.entrySet()) {
      Result result;
      try {
        result = Modelc.compile(e.getValue(), Options.defaults().withPackage(e.getKey()).withJavaClasses(javaClasses)
            .checkOnly());
      } catch (RuntimeException | StackOverflowError x) {
        throw AbstractCompileMojo.internalError(x);
      }
      messages.addAll(result.messages());
      errors += result.errorCount();
    }
    messages.sort(Comparator.comparing(Message::file).thenComparingInt(Message::line)
        .thenComparingInt(Message::column));
    messages.forEach(m -> AbstractCompileMojo.log(getLog(), m));
    if (errors > 0) {
      Message first = messages.stream().filter(Message::isError).findFirst().orElseThrow();
      throw new MojoFailureException("modelc: " + AbstractCompileMojo.count(errors, "error") + " in "
          + root + "; the first: " + first);
    }
    getLog().info("modelc: checked " + AbstractCompileMojo.count(inputs.size(), "file"));
  }
}
