package dev.modelc.check;

import java.util.List;

/** Every model of a file, checked. */
public record CheckedProgram(String file, List<CheckedModel> models) {}
