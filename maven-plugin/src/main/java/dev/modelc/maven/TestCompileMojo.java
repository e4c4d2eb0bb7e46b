package dev.modelc.maven;

import java.io.File;
import java.util.List;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * {@code modelc:testCompile}: compiles {@code src/test/mdl/**}{@code /*.mdl} into {@code target/test-classes}
 * before the test sources are compiled (phase {@code generate-test-sources}), and checks the test class path for the
 * runtime. Otherwise like {@code modelc:compile}.
 */
@Mojo(name = "testCompile", defaultPhase = LifecyclePhase.GENERATE_TEST_SOURCES, threadSafe = true,
    requiresDependencyCollection = ResolutionScope.TEST)
public final class TestCompileMojo extends AbstractCompileMojo {
  /** Where the test .mdl sources are; the folders under it are the packages. */
  @Parameter(property = "modelc.testSourceDirectory", defaultValue = "${project.basedir}/src/test/mdl")
  File testSourceDirectory;

  /** Where the test class files go. */
  @Parameter(property = "modelc.testOutputDirectory", defaultValue = "${project.build.testOutputDirectory}")
  File testOutputDirectory;

  /** The state of the last test compile, for incremental builds. */
  @Parameter(defaultValue = "${project.build.directory}/modelc/test-compile-state.properties", readonly = true)
  File stateFile;

  /** Skip compiling test models (also skipped by {@code -Dmaven.test.skip}). */
  @Parameter(property = "maven.test.skip", defaultValue = "false")
  boolean testSkip;

  @Override
  public void execute() throws org.apache.maven.plugin.MojoExecutionException,
      org.apache.maven.plugin.MojoFailureException {
    if (testSkip) {
      getLog().info("modelc: test models not compiled (maven.test.skip)");
      return;
    }
    super.execute();
  }

  /** The test class path, checked for the runtime the generated classes need. */
  @Parameter(defaultValue = "${project.testClasspathElements}", readonly = true)
  List<String> classpathElements;

  @Override
  File sourceDirectory() {
    return testSourceDirectory;
  }

  @Override
  File outputDirectory() {
    return testOutputDirectory;
  }

  @Override
  List<String> classpathElements() {
    return classpathElements;
  }

  @Override
  String classpathName() {
    return "test";
  }

  @Override
  File stateFile() {
    return stateFile;
  }

  @Override
  List<File> dependentClassDirectories() {
    return java.util.Arrays.asList(testClassesDirectory);
  }

  /** The test sources, and the main ones: a test class may not share its name with a main class either. */
  @Override
  List<String> javaSourceRoots() {
    List<String> roots = new java.util.ArrayList<>();
    if (testCompileSourceRoots != null) {
      roots.addAll(testCompileSourceRoots);
    }
    if (compileSourceRoots != null) {
      roots.addAll(compileSourceRoots);
    }
    return roots;
  }
}
