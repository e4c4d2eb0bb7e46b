package dev.modelc.ast;

import dev.modelc.diag.Span;

/** A name as written, with its place. */
public record Ident(String name, Span span) {}
