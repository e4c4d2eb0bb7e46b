package dev.modelc.ast;

import dev.modelc.diag.Span;
import java.util.List;

/** {@code model Net { members... }}. */
public record ModelDef(String name, Span nameSpan, List<Member> members, Span span) {}
