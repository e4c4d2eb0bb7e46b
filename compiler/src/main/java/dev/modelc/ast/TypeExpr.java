package dev.modelc.ast;

import dev.modelc.diag.Span;
import java.util.List;

/** A written type: {@code f32[B, 1, 28, 28]}; {@code dims} is empty for a scalar. */
public record TypeExpr(String dtype, List<Expr> dims, Span span) {}
