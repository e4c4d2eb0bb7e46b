package dev.modelc.ast;

import java.util.List;

/** Prints a {@link Program} as an indented tree with the line:col of every node ({@code modelc compile --emit ast}). */
public final class AstPrinter {
  private final StringBuilder out = new StringBuilder();

  private AstPrinter() {}

  public static String print(Program program) {
    return dev.modelc.util.BigStack.call(() -> printDeep(program));
  }

  private static String printDeep(Program program) {
    AstPrinter p = new AstPrinter();
    for (LayerDef layer : program.layers()) {
      p.layer(layer);
    }
    for (ModelDef model : program.models()) {
      p.model(model);
    }
    return p.out.toString();
  }

  private void layer(LayerDef l) {
    line(0, "layer " + l.name() + "(" + names(l.sizeParams()) + ")", l.span());
    for (Member m : l.members()) {
      member(1, m);
    }
    line(1, "call (" + names(l.call().params()) + ")", l.call().span());
    for (Member.Let let : l.call().lets()) {
      member(2, let);
    }
    line(2, "return", l.call().body().span());
    expr(3, l.call().body());
  }

  private void model(ModelDef m) {
    line(0, "model " + m.name(), m.span());
    for (Member member : m.members()) {
      member(1, member);
    }
  }

  private void member(int depth, Member m) {
    if (m instanceof Member.Input in) {
      line(depth, "input " + in.name().name() + " : " + type(in.type()), in.span());
    } else if (m instanceof Member.Param p) {
      line(depth, (p.buffer() ? "buffer " : "param ") + p.name().name() + " : " + type(p.type()), p.span());
      if (p.init() != null) {
        line(depth + 1, "init", p.init().span());
        expr(depth + 2, p.init());
      }
    } else if (m instanceof Member.Let let) {
      line(depth, "let " + let.name().name() + (let.type() == null ? "" : " : " + type(let.type())), let.span());
      expr(depth + 1, let.value());
    } else if (m instanceof Member.Output o) {
      line(depth, "output " + names(o.names()), o.span());
    } else if (m instanceof Member.Minimize min) {
      line(depth, "minimize", min.span());
      expr(depth + 1, min.objective());
      line(depth + 1, "with", min.optimizer().span());
      expr(depth + 2, min.optimizer());
    } else if (m instanceof Member.Instance i) {
      line(depth, "instance " + i.name().name(), i.span());
      expr(depth + 1, i.layer());
    }
  }

  private void expr(int depth, Expr e) {
    if (e instanceof Expr.Name n) {
      line(depth, "name " + n.name(), e.span());
    } else if (e instanceof Expr.IntLit i) {
      line(depth, "int " + i.text(), e.span());
    } else if (e instanceof Expr.FloatLit f) {
      line(depth, "float " + f.text(), e.span());
    } else if (e instanceof Expr.StringLit s) {
      line(depth, "string \"" + s.value() + "\"", e.span());
    } else if (e instanceof Expr.BoolLit b) {
      line(depth, "bool " + b.value(), e.span());
    } else if (e instanceof Expr.ListLit l) {
      line(depth, "list", e.span());
      for (Expr item : l.items()) {
        expr(depth + 1, item);
      }
    } else if (e instanceof Expr.Unary u) {
      line(depth, "unary " + u.op(), e.span());
      expr(depth + 1, u.operand());
    } else if (e instanceof Expr.Binary b) {
      line(depth, "binary " + b.op().symbol, e.span());
      expr(depth + 1, b.left());
      expr(depth + 1, b.right());
    } else if (e instanceof Expr.Transpose t) {
      line(depth, "transpose ^T", e.span());
      expr(depth + 1, t.operand());
    } else if (e instanceof Expr.Index x) {
      line(depth, "index", e.span());
      expr(depth + 1, x.operand());
      for (Expr.IndexItem item : x.items()) {
        if (item instanceof Expr.Point p) {
          expr(depth + 1, p.index());
        } else if (item instanceof Expr.Range r) {
          line(depth + 1, "slice", r.span());
          for (Expr part : java.util.Arrays.asList(r.start(), r.stop(), r.step())) {
            if (part == null) {
              line(depth + 2, "_", r.span());
            } else {
              expr(depth + 2, part);
            }
          }
        } else {
          line(depth + 1, "...", item.span());
        }
      }
    } else if (e instanceof Expr.Call c) {
      line(depth, "call " + c.callee().name(), e.span());
      for (Expr.Arg a : c.args()) {
        if (a.name() != null) {
          line(depth + 1, a.name().name() + " =", a.span());
          expr(depth + 2, a.value());
        } else {
          expr(depth + 1, a.value());
        }
      }
    }
  }

  private static String type(TypeExpr t) {
    if (t.dims().isEmpty()) {
      return t.dtype();
    }
    StringBuilder s = new StringBuilder(t.dtype()).append('[');
    for (int i = 0; i < t.dims().size(); i++) {
      s.append(i == 0 ? "" : ", ").append(source(t.dims().get(i)));
    }
    return s.append(']').toString();
  }

  private static String source(Expr e) {
    if (e instanceof Expr.Name n) {
      return n.name();
    } else if (e instanceof Expr.IntLit i) {
      return i.text();
    } else if (e instanceof Expr.Binary b) {
      return source(b.left()) + " " + b.op().symbol + " " + source(b.right());
    }
    return "...";
  }

  private static String names(List<Ident> ids) {
    StringBuilder s = new StringBuilder();
    for (Ident id : ids) {
      s.append(s.length() == 0 ? "" : ", ").append(id.name());
    }
    return s.toString();
  }

  /** Deeper nodes are indented as this depth and marked with their depth, so the output stays linear in size. */
  static final int MAX_INDENT = 32;

  private void line(int depth, String text, dev.modelc.diag.Span span) {
    out.append("  ".repeat(Math.min(depth, MAX_INDENT))).append(depth > MAX_INDENT ? "[" + depth + "] " : "")
        .append(text).append("   @").append(span.line()).append(':').append(span.column())
        .append('\n');
  }
}
