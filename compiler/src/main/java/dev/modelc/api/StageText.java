package dev.modelc.api;

/**
 * The printed form of one stage.
 *
 * @param name the model's name, or for {@link Stage#AST} (printed per file) the file name without {@code .mdl}
 * @param source the name of the {@code .mdl} file, as given to the compiler
 * @param stage the stage
 * @param text the text, as {@code modelc compile --emit} prints it
 */
public record StageText(String name, String source, Stage stage, String text) {}
