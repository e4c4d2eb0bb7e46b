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
import java.util.List;
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
 * {@code compile}, unless {@code packageName} is set.
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
    AbstractCompileMojo.packages(root, inputs, packageName); // a folder compile would refuse fails here too
    List<Path> files = new ArrayList<>();
    inputs.forEach(f -> files.add(root.resolve(f)));
    Result result;
    try {
      result = Modelc.compile(files, Options.defaults().checkOnly());
    } catch (RuntimeException | StackOverflowError e) {
      throw AbstractCompileMojo.internalError(e);
    }
    result.messages().forEach(m -> AbstractCompileMojo.log(getLog(), m));
    if (!result.ok()) {
      Message first = result.messages().stream().filter(Message::isError).findFirst().orElseThrow();
      throw new MojoFailureException("modelc: " + AbstractCompileMojo.count(result.errorCount(), "error") + " in "
          + root + "; the first: " + first);
    }
    getLog().info("modelc: checked " + AbstractCompileMojo.count(files.size(), "file"));
  }
}
