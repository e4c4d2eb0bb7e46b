package dev.modelc.ast;

import dev.modelc.diag.Span;
import java.util.List;

/** The call of a layer: {@code (x) = expr} or {@code (x) { let ... return expr }} (then {@code lets} is not empty). */
public record CallDef(List<Ident> params, List<Member.Let> lets, Expr body, Span span) {}
