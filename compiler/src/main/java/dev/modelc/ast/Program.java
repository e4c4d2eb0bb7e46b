package dev.modelc.ast;

import dev.modelc.diag.SourceFile;
import java.util.List;

/** A parsed .mdl file: its layer definitions and models, in source order. */
public record Program(SourceFile file, List<LayerDef> layers, List<ModelDef> models) {}
