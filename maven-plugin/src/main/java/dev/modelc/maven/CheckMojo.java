package dev.modelc.maven;

import dev.modelc.check.CheckedModel;
import dev.modelc.check.CheckedProgram;
import dev.modelc.check.Frontend;
import dev.modelc.diag.DiagnosticPrinter;
import dev.modelc.diag.Diagnostics;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code modelc:check}: checks every {@code .mdl} file under the source directory (names, dtypes, shapes,
 * initializers, optimizers) and fails the build with located diagnostics when any has errors. Bound to the
 * {@code validate} phase by default.
 */
@Mojo(name = "check", defaultPhase = LifecyclePhase.VALIDATE, threadSafe = true)
public final class CheckMojo extends AbstractMojo {
  /** Where the .mdl sources are. */
  @Parameter(property = "modelc.sourceDirectory", defaultValue = "${project.basedir}/src/main/mdl")
  File sourceDirectory;

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
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(p -> p.toString().endsWith(".mdl")).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new MojoExecutionException("modelc: cannot list " + root + ": " + e.getMessage(), e);
    }
    Diagnostics diagnostics = new Diagnostics();
    int models = 0;
    for (Path f : files) {
      CheckedProgram program = Frontend.load(f, diagnostics);
      if (program != null) {
        for (CheckedModel m : program.models()) {
          models++;
          getLog().debug("modelc: " + m.name() + " has " + m.parameterCount() + " parameters");
        }
      }
    }
    String text = DiagnosticPrinter.text(diagnostics);
    if (!text.isEmpty()) {
      for (String line : text.split("\n")) {
        if (diagnostics.hasErrors()) {
          getLog().error(line);
        } else {
          getLog().warn(line);
        }
      }
    }
    if (diagnostics.hasErrors()) {
      throw new MojoFailureException("modelc: " + diagnostics.errorCount() + " error(s) in " + root);
    }
    getLog().info("modelc: checked " + models + " model(s) in " + files.size() + " file(s)");
  }
}
