package dev.modelc.ast;

import dev.modelc.diag.SourceFile;
import dev.modelc.diag.Span;
import dev.modelc.grammar.MdlBaseVisitor;
import dev.modelc.grammar.MdlParser;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Turns ANTLR's parse tree into the project's AST: one visit method per labelled alternative. This is the only
 * place ANTLR types are seen outside {@link Parser}. It runs only on a tree that parsed without syntax errors.
 */
final class AstBuilder extends MdlBaseVisitor<Object> {
  private final SourceFile file;

  AstBuilder(SourceFile file) {
    this.file = file;
  }

  Program program(MdlParser.FileContext ctx) {
    List<LayerDef> layers = new ArrayList<>();
    List<ModelDef> models = new ArrayList<>();
    for (MdlParser.DefinitionContext d : ctx.definition()) {
      Object def = visit(d);
      if (def instanceof LayerDef layer) {
        layers.add(layer);
      } else {
        models.add((ModelDef) def);
      }
    }
    return new Program(file, layers, models);
  }

  @Override
  public ModelDef visitModelDef(MdlParser.ModelDefContext ctx) {
    return new ModelDef(ctx.name.getText(), span(ctx.name), members(ctx.member()), span(ctx));
  }

  @Override
  public LayerDef visitLayerDef(MdlParser.LayerDefContext ctx) {
    List<Ident> sizes = ctx.sizeParams() == null ? List.of() : idents(ctx.sizeParams().ID());
    return new LayerDef(ctx.name.getText(), span(ctx.name), sizes, members(ctx.member()),
        (CallDef) visit(ctx.callDef()), span(ctx));
  }

  private List<Member> members(List<MdlParser.MemberContext> contexts) {
    List<Member> members = new ArrayList<>();
    for (MdlParser.MemberContext m : contexts) {
      Object member = visit(m);
      if (member != null) {
        members.add((Member) member);
      }
    }
    return members;
  }

  @Override
  public Member visitInputDecl(MdlParser.InputDeclContext ctx) {
    return new Member.Input(ident(ctx.name), type(ctx.type()), span(ctx));
  }

  @Override
  public Member visitParamDecl(MdlParser.ParamDeclContext ctx) {
    return new Member.Param(ident(ctx.name), type(ctx.type()), ctx.init == null ? null : expr(ctx.init), span(ctx),
        ctx.kind.getType() == MdlParser.BUFFER);
  }

  @Override
  public Member visitLetDecl(MdlParser.LetDeclContext ctx) {
    return new Member.Let(ident(ctx.name), ctx.type() == null ? null : type(ctx.type()), expr(ctx.value), span(ctx));
  }

  @Override
  public Member visitOutputDecl(MdlParser.OutputDeclContext ctx) {
    return new Member.Output(idents(ctx.ID()), span(ctx));
  }

  @Override
  public Member visitMinimizeDecl(MdlParser.MinimizeDeclContext ctx) {
    return new Member.Minimize(expr(ctx.objective), call(ctx.optimizer), span(ctx));
  }

  @Override
  public Member visitInstanceDecl(MdlParser.InstanceDeclContext ctx) {
    return new Member.Instance(ident(ctx.name), call(ctx.layer), span(ctx));
  }

  @Override
  public Member visitEmptyMember(MdlParser.EmptyMemberContext ctx) {
    return null;
  }

  @Override
  public CallDef visitExprCallDef(MdlParser.ExprCallDefContext ctx) {
    return new CallDef(idents(ctx.ID()), List.of(), expr(ctx.body), span(ctx));
  }

  @Override
  public CallDef visitBlockCallDef(MdlParser.BlockCallDefContext ctx) {
    List<Member.Let> lets = new ArrayList<>();
    for (MdlParser.CallStmtContext s : ctx.callStmt()) {
      if (s instanceof MdlParser.CallLetContext let) {
        lets.add(new Member.Let(ident(let.name), let.type() == null ? null : type(let.type()), expr(let.value),
            span(let)));
      }
    }
    return new CallDef(idents(ctx.ID()), lets, expr(ctx.body), span(ctx));
  }

  private TypeExpr type(MdlParser.TypeContext ctx) {
    List<Expr> dims = new ArrayList<>();
    for (MdlParser.ExprContext e : ctx.expr()) {
      dims.add(expr(e));
    }
    return new TypeExpr(ctx.dtype.getText(), dims, span(ctx));
  }

  private Expr expr(MdlParser.ExprContext ctx) {
    return (Expr) visit(ctx);
  }

  @Override
  public Expr visitPrimaryExpr(MdlParser.PrimaryExprContext ctx) {
    return (Expr) visit(ctx.primary());
  }

  @Override
  public Expr visitTransposeExpr(MdlParser.TransposeExprContext ctx) {
    return new Expr.Transpose(expr(ctx.expr()), span(ctx));
  }

  @Override
  public Expr visitIndexExpr(MdlParser.IndexExprContext ctx) {
    List<Expr.IndexItem> items = new ArrayList<>();
    for (MdlParser.IndexContext i : ctx.index()) {
      if (i instanceof MdlParser.PointIndexContext p) {
        items.add(new Expr.Point(expr(p.expr()), span(p)));
      } else if (i instanceof MdlParser.SliceIndexContext r) {
        items.add(new Expr.Range(r.start == null ? null : expr(r.start), r.stop == null ? null : expr(r.stop),
            r.step == null ? null : expr(r.step), span(r)));
      } else {
        items.add(new Expr.Ellipsis(span(i)));
      }
    }
    return new Expr.Index(expr(ctx.expr()), items, span(ctx));
  }

  @Override
  public Expr visitPowerExpr(MdlParser.PowerExprContext ctx) {
    return new Expr.Binary(Expr.BinaryOp.POW, expr(ctx.expr(0)), expr(ctx.expr(1)), span(ctx));
  }

  @Override
  public Expr visitUnaryExpr(MdlParser.UnaryExprContext ctx) {
    return new Expr.Unary(ctx.op.getText().charAt(0), expr(ctx.expr()), span(ctx));
  }

  @Override
  public Expr visitMulExpr(MdlParser.MulExprContext ctx) {
    Expr.BinaryOp op = switch (ctx.op.getType()) {
      case MdlParser.STAR -> Expr.BinaryOp.MUL;
      case MdlParser.SLASH -> Expr.BinaryOp.DIV;
      default -> Expr.BinaryOp.MATMUL;
    };
    return new Expr.Binary(op, expr(ctx.expr(0)), expr(ctx.expr(1)), span(ctx));
  }

  @Override
  public Expr visitAddExpr(MdlParser.AddExprContext ctx) {
    Expr.BinaryOp op = ctx.op.getType() == MdlParser.PLUS ? Expr.BinaryOp.ADD : Expr.BinaryOp.SUB;
    return new Expr.Binary(op, expr(ctx.expr(0)), expr(ctx.expr(1)), span(ctx));
  }

  @Override
  public Expr visitAndExpr(MdlParser.AndExprContext ctx) {
    return new Expr.Binary(Expr.BinaryOp.AND, expr(ctx.expr(0)), expr(ctx.expr(1)), span(ctx));
  }

  @Override
  public Expr visitOrExpr(MdlParser.OrExprContext ctx) {
    return new Expr.Binary(Expr.BinaryOp.OR, expr(ctx.expr(0)), expr(ctx.expr(1)), span(ctx));
  }

  @Override
  public Expr visitCompareExpr(MdlParser.CompareExprContext ctx) {
    Expr.BinaryOp op = switch (ctx.op.getType()) {
      case MdlParser.LT -> Expr.BinaryOp.LT;
      case MdlParser.LE -> Expr.BinaryOp.LE;
      case MdlParser.GT -> Expr.BinaryOp.GT;
      case MdlParser.GE -> Expr.BinaryOp.GE;
      case MdlParser.EQ -> Expr.BinaryOp.EQ;
      default -> Expr.BinaryOp.NE;
    };
    return new Expr.Binary(op, expr(ctx.expr(0)), expr(ctx.expr(1)), span(ctx));
  }

  @Override
  public Expr visitCallPrimary(MdlParser.CallPrimaryContext ctx) {
    return call(ctx.call());
  }

  private Expr.Call call(MdlParser.CallContext ctx) {
    List<Expr.Arg> args = new ArrayList<>();
    for (MdlParser.ArgContext a : ctx.arg()) {
      if (a instanceof MdlParser.NamedArgContext named) {
        args.add(new Expr.Arg(ident(named.name), expr(named.value), span(a)));
      } else {
        args.add(new Expr.Arg(null, expr(((MdlParser.PositionalArgContext) a).value), span(a)));
      }
    }
    return new Expr.Call(ident(ctx.callee), args, span(ctx));
  }

  @Override
  public Expr visitNamePrimary(MdlParser.NamePrimaryContext ctx) {
    return new Expr.Name(ctx.getText(), span(ctx));
  }

  @Override
  public Expr visitIntPrimary(MdlParser.IntPrimaryContext ctx) {
    String text = ctx.getText();
    long value;
    try {
      value = Long.parseLong(text);
    } catch (NumberFormatException e) {
      value = Long.MAX_VALUE; // the checker reports integers too large to be a size
    }
    return new Expr.IntLit(value, text, span(ctx));
  }

  @Override
  public Expr visitFloatPrimary(MdlParser.FloatPrimaryContext ctx) {
    return new Expr.FloatLit(Double.parseDouble(ctx.getText()), ctx.getText(), span(ctx));
  }

  @Override
  public Expr visitStringPrimary(MdlParser.StringPrimaryContext ctx) {
    String raw = ctx.getText();
    return new Expr.StringLit(raw.substring(1, raw.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\"),
        span(ctx));
  }

  @Override
  public Expr visitBoolPrimary(MdlParser.BoolPrimaryContext ctx) {
    return new Expr.BoolLit(ctx.TRUE() != null, span(ctx));
  }

  @Override
  public Expr visitListPrimary(MdlParser.ListPrimaryContext ctx) {
    List<Expr> items = new ArrayList<>();
    for (MdlParser.ExprContext e : ctx.expr()) {
      items.add(expr(e));
    }
    return new Expr.ListLit(items, span(ctx));
  }

  @Override
  public Expr visitParenPrimary(MdlParser.ParenPrimaryContext ctx) {
    return expr(ctx.expr());
  }

  private List<Ident> idents(List<TerminalNode> ids) {
    List<Ident> out = new ArrayList<>();
    for (TerminalNode id : ids) {
      out.add(ident(id.getSymbol()));
    }
    return out;
  }

  private Ident ident(Token t) {
    return new Ident(t.getText(), span(t));
  }

  private Span span(Token t) {
    return file.span(t.getStartIndex(), t.getStopIndex() + 1);
  }

  private Span span(ParserRuleContext ctx) {
    Token stop = ctx.getStop() == null ? ctx.getStart() : ctx.getStop();
    return file.span(ctx.getStart().getStartIndex(), Math.max(ctx.getStart().getStartIndex(), stop.getStopIndex() + 1));
  }
}
