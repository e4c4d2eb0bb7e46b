package dev.modelc.ast;

import dev.modelc.diag.Span;
import java.util.List;

/** Expressions as written. Calls keep positional and named arguments apart; the checker resolves them. */
public sealed interface Expr {
  Span span();

  record Name(String name, Span span) implements Expr {}

  record IntLit(long value, String text, Span span) implements Expr {}

  record FloatLit(double value, String text, Span span) implements Expr {}

  record StringLit(String value, Span span) implements Expr {}

  record BoolLit(boolean value, Span span) implements Expr {}

  record ListLit(List<Expr> items, Span span) implements Expr {}

  /** Unary minus or plus, or the mask negation {@code ~}. */
  record Unary(char op, Expr operand, Span span) implements Expr {}

  record Binary(BinaryOp op, Expr left, Expr right, Span span) implements Expr {}

  /** {@code x^T}: swaps the last two dimensions. */
  record Transpose(Expr operand, Span span) implements Expr {}

  /** {@code x[i, a:b:s, ...]}: indexing and slicing with constant bounds. */
  record Index(Expr operand, List<IndexItem> items, Span span) implements Expr {}

  /** One entry of an index: an integer, a slice whose absent parts are null, or {@code ...}. */
  sealed interface IndexItem {
    Span span();
  }

  record Point(Expr index, Span span) implements IndexItem {}

  record Range(Expr start, Expr stop, Expr step, Span span) implements IndexItem {}

  record Ellipsis(Span span) implements IndexItem {}

  record Call(Ident callee, List<Arg> args, Span span) implements Expr {}

  /** A call argument; {@code name} is null for a positional one. */
  record Arg(Ident name, Expr value, Span span) {}

  enum BinaryOp {
    ADD("+"), SUB("-"), MUL("*"), DIV("/"), MATMUL("@"), POW("**"), AND("&"), OR("|"),
    LT("<"), LE("<="), GT(">"), GE(">="), EQ("=="), NE("!=");

    public boolean isComparison() {
      return ordinal() >= LT.ordinal();
    }

    public final String symbol;

    BinaryOp(String symbol) {
      this.symbol = symbol;
    }
  }
}
