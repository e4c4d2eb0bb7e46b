package dev.modelc.maven;

import java.io.File;
import java.util.List;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * {@code modelc:compile}: compiles {@code src/main/mdl/**}{@code /*.mdl} into class files in
 * {@code target/classes}, before javac runs (phase {@code generate-sources}), so the project's Java code is compiled
 * against the generated classes. {@code src/main/mdl/demo/linreg.mdl} holding {@code model LinReg} gives
 * {@code demo.LinReg}. Incremental: only the model files changed since the last build are compiled again, and the
 * classes of deleted ones are removed. Warns when the compile class path lacks the modelc-runtime dependency the
 * generated classes need.
 */
@Mojo(name = "compile", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true,
    requiresDependencyCollection = ResolutionScope.COMPILE)
public final class CompileMojo extends AbstractCompileMojo {
  /** Where the .mdl sources are; the folders under it are the packages. */
  @Parameter(property = "modelc.sourceDirectory", defaultValue = "${project.basedir}/src/main/mdl")
  File sourceDirectory;

  /** Where the class files go. */
  @Parameter(property = "modelc.outputDirectory", defaultValue = "${project.build.outputDirectory}")
  File outputDirectory;

  /** The state of the last compile, for incremental builds. */
  @Parameter(defaultValue = "${project.build.directory}/modelc/compile-state.properties", readonly = true)
  File stateFile;

  /** The compile class path, checked for the runtime the generated classes need. */
  @Parameter(defaultValue = "${project.compileClasspathElements}", readonly = true)
  List<String> classpathElements;

  @Override
  File sourceDirectory() {
    return sourceDirectory;
  }

  @Override
  File outputDirectory() {
    return outputDirectory;
  }

  @Override
  List<String> classpathElements() {
    return classpathElements;
  }

  @Override
  String classpathName() {
    return "compile";
  }

  @Override
  File stateFile() {
    return stateFile;
  }

  @Override
  List<File> dependentClassDirectories() {
    return java.util.Arrays.asList(classesDirectory, testClassesDirectory);
  }

  @Override
  List<String> javaSourceRoots() {
    return compileSourceRoots;
  }
}
