package dev.modelc.ast;

import dev.modelc.diag.Span;
import java.util.List;

/**
 * {@code layer Linear(in, out) { members... (x) = body }}: size parameters, members (params, instances, and anything
 * else, which the checker rejects with its location) and the call definition.
 */
public record LayerDef(String name, Span nameSpan, List<Ident> sizeParams, List<Member> members, CallDef call,
    Span span) {}
