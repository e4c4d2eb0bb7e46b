package dev.modelc.ast;

import dev.modelc.diag.Diagnostics;
import dev.modelc.diag.SourceFile;
import dev.modelc.grammar.MdlLexer;
import dev.modelc.grammar.MdlParser;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.ListTokenSource;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.antlr.v4.runtime.misc.Pair;

/**
 * Parses a .mdl file into a {@link Program}. Syntax errors go to the diagnostics sink, rewritten from ANTLR's raw
 * wording into "expected X but found Y"; ANTLR's own console listeners are removed. Returns null when the file has
 * syntax errors (every one of them reported).
 */
public final class Parser {
  private Parser() {}

  public static Program parse(SourceFile file, Diagnostics diagnostics) {
    diagnostics.addFile(file);
    int before = diagnostics.errorCount();
    MdlLexer lexer = new MdlLexer(CharStreams.fromString(file.text(), file.name()));
    lexer.removeErrorListeners();
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    tokens.fill();
    if (!scan(file, tokens.getTokens(), diagnostics)) {
      return null;
    }
    Set<Integer> badLines = badCharacters(file, tokens.getTokens(), diagnostics);
    List<int[]> damaged = new ArrayList<>();
    List<Token> repaired = brackets(file, tokens.getTokens(), diagnostics, damaged);
    MdlParser parser = new MdlParser(repaired == null ? tokens : new CommonTokenStream(new ListTokenSource(repaired)));
    parser.removeErrorListeners();
    parser.addErrorListener(new Listener(file, diagnostics, damaged, badLines));
    MdlParser.FileContext tree = dev.modelc.util.BigStack.call(parser::file);
    if (diagnostics.errorCount() > before) {
      return null;
    }
    return dev.modelc.util.BigStack.call(() -> new AstBuilder(file).program(tree));
  }

  /**
   * Checks the tokens before parsing: number literals must be in range, and nesting must stay within
   * {@link #MAX_NESTING} (brackets, a run of signs and '~', a chain of '**'), which keeps the recursive parser, checker and
   * printers fast and their stacks small. Returns false when the nesting is too deep (nothing more is parsed).
   */
  private static boolean scan(SourceFile file, List<Token> tokens, Diagnostics diagnostics) {
    int depth = 0;
    int signs = 0;
    int[] powers = new int[MAX_NESTING + 2];
    Token previous = null;
    for (Token t : tokens) {
      int type = t.getType();
      if (type == MdlLexer.FLOAT && Double.isInfinite(Double.parseDouble(t.getText()))) {
        diagnostics.error(span(file, t), "number " + clip(t.getText()) + " is out of range: it is larger than the "
            + "largest f64 (about 1.8e308) and would be infinity");
      } else if (type == MdlLexer.INT && !fitsLong(t.getText())) {
        diagnostics.error(span(file, t), "integer " + clip(t.getText()) + " is out of range (the largest is "
            + Long.MAX_VALUE + ")");
      }
      if (type == MdlLexer.ID && t.getText().length() > MAX_NAME) {
        diagnostics.error(span(file, t), "name is longer than " + MAX_NAME + " characters (" + t.getText().length()
            + ")");
      }
      boolean sign = type == MdlLexer.TILDE
          || (type == MdlLexer.MINUS || type == MdlLexer.PLUS) && (previous == null || opensOperand(previous));
      signs = sign ? signs + 1 : 0;
      boolean deeper = sign;
      if (type == MdlLexer.LPAREN || type == MdlLexer.LBRACK) {
        depth++;
        powers[Math.min(depth, powers.length - 1)] = 0;
        deeper = true;
      } else if (type == MdlLexer.RPAREN || type == MdlLexer.RBRACK) {
        depth = Math.max(0, depth - 1);
      } else if (type == MdlLexer.POW) {
        powers[Math.min(depth, powers.length - 1)]++;
        deeper = true;
      } else if (!sign && !continuesPowerChain(type)) {
        powers[Math.min(depth, powers.length - 1)] = 0;      // any other operator, '=', a keyword: the chain ends
      }
      int nesting = depth + signs + powers[Math.min(depth, powers.length - 1)];
      if (nesting > MAX_NESTING && deeper) {
        diagnostics.error(span(file, t), "expression nested too deeply: more than " + MAX_NESTING
            + " levels of brackets, signs and '**' (split it with lets)");
        return false;
      }
      previous = t;
    }
    return true;
  }

  /**
   * Checks that every '(' and '[' is closed, and by its own kind, before a token that cannot stand inside brackets (a
   * declaration keyword, a brace, ';', the end of the file). The parser alone would report such a file at the
   * bracket with "expected a declaration but found '('", having read the call's name as a whole expression. Each
   * unclosed or mismatched bracket is reported once, up to the next such token. The parser then reads repaired
   * tokens (the missing closers added before that token; a closer of the wrong kind closes the brackets opened
   * after one of its kind, or is dropped when there is none), so that it still reports the file's other syntax
   * errors; {@code damaged} receives the source ranges repaired, from the outermost open bracket to that token,
   * where its errors would only repeat the bracket's. Returns the repaired tokens, or null when every bracket is
   * closed.
   */
  private static List<Token> brackets(SourceFile file, List<Token> tokens, Diagnostics diagnostics,
      List<int[]> damaged) {
    ArrayDeque<Token> open = new ArrayDeque<>();
    List<Token> out = new ArrayList<>(tokens.size());
    Token previous = null;
    int damagedFrom = -1;     // the start of the range being repaired (an error is reported for it), or -1
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      int type = t.getType();
      if (type == MdlLexer.UNTERMINATED_STRING || type == MdlLexer.UNTERMINATED_COMMENT) {
        // A string or comment the lexer could not end may hold brackets; the parser reports it, and brackets after
        // it are not checked (after a bracket error, nothing more is).
        out.addAll(tokens.subList(i, tokens.size()));
        if (damagedFrom >= 0) {
          damaged.add(new int[] {damagedFrom, Integer.MAX_VALUE});
        }
        break;
      }
      if (type == MdlLexer.LPAREN || type == MdlLexer.LBRACK) {
        open.push(t);
      } else if ((type == MdlLexer.RPAREN || type == MdlLexer.RBRACK) && !open.isEmpty()) {
        Token o = open.peek();
        if (closes(t, o)) {
          open.pop();
        } else {
          if (damagedFrom < 0) {
            diagnostics.error(span(file, t), "expected " + closing(o) + " to close the '" + o.getText() + "' at "
                + o.getLine() + ":" + (o.getCharPositionInLine() + 1) + " but found '" + t.getText() + "'");
            damagedFrom = open.peekLast().getStartIndex();
          }
          if (open.stream().noneMatch(b -> closes(t, b))) {
            previous = t;
            continue;     // dropped
          }
          while (!closes(t, open.peek())) {
            out.add(closer(open.pop(), previous));
          }
          open.pop();
        }
      } else if (endsBrackets(type)) {
        if (!open.isEmpty() && damagedFrom < 0) {
          Token o = open.peek();
          int at = previous == null ? 0 : previous.getStopIndex() + 1;
          diagnostics.error(file.span(at, at), "'" + o.getText() + "' at " + o.getLine() + ":"
              + (o.getCharPositionInLine() + 1) + " is not closed: expected " + closing(o) + " before "
              + (type == Token.EOF ? "the end of the file" : "'" + t.getText() + "'"));
          damagedFrom = open.peekLast().getStartIndex();
        }
        while (!open.isEmpty()) {
          out.add(closer(open.pop(), previous));
        }
        if (damagedFrom >= 0) {
          damaged.add(new int[] {damagedFrom, t.getStartIndex()});
          damagedFrom = -1;
        }
      }
      out.add(t);
      previous = t;
    }
    return damaged.isEmpty() ? null : out;
  }

  private static boolean closes(Token closer, Token open) {
    return (open.getType() == MdlLexer.LPAREN) == (closer.getType() == MdlLexer.RPAREN);
  }

  /** A closing bracket for {@code open}, made up right after {@code previous} to repair the tokens. */
  private static Token closer(Token open, Token previous) {
    boolean paren = open.getType() == MdlLexer.LPAREN;
    int at = previous.getStopIndex() + 1;
    CommonToken c = new CommonToken(new Pair<>(previous.getTokenSource(), previous.getInputStream()),
        paren ? MdlLexer.RPAREN : MdlLexer.RBRACK, Token.DEFAULT_CHANNEL, at, at - 1);
    c.setText(paren ? ")" : "]");
    c.setLine(previous.getLine());
    c.setCharPositionInLine(previous.getCharPositionInLine() + previous.getText().length());
    return c;
  }

  private static String closing(Token open) {
    return open.getType() == MdlLexer.LPAREN ? "')'" : "']'";
  }

  /** Tokens that never stand inside brackets: where one comes, every bracket before it must be closed. */
  private static boolean endsBrackets(int type) {
    return switch (type) {
      case Token.EOF, MdlLexer.MODEL, MdlLexer.LAYER, MdlLexer.INPUT, MdlLexer.PARAM, MdlLexer.LET, MdlLexer.OUTPUT,
          MdlLexer.MINIMIZE, MdlLexer.RETURN, MdlLexer.LBRACE, MdlLexer.RBRACE, MdlLexer.SEMI -> true;
      default -> false;
    };
  }

  /** The longest name: names become field, method and constant names in generated classes. */
  public static final int MAX_NAME = 1000;

  /** The deepest nesting of brackets, signs and '**' chains the front end accepts. */
  public static final int MAX_NESTING = 256;

  /** Tokens that can stand inside one right-nested chain {@code a ** b ** c} (signs are counted apart). */
  private static boolean continuesPowerChain(int type) {
    return switch (type) {
      case MdlLexer.ID, MdlLexer.INT, MdlLexer.FLOAT, MdlLexer.TRANSPOSE, MdlLexer.RPAREN, MdlLexer.RBRACK -> true;
      default -> false;
    };
  }

  private static boolean opensOperand(Token t) {
    return switch (t.getType()) {
      case MdlLexer.ID, MdlLexer.INT, MdlLexer.FLOAT, MdlLexer.STRING, MdlLexer.TRUE, MdlLexer.FALSE,
          MdlLexer.RPAREN, MdlLexer.RBRACK, MdlLexer.RBRACE, MdlLexer.TRANSPOSE -> false;
      default -> true;
    };
  }

  private static boolean fitsLong(String digits) {
    try {
      Long.parseLong(digits);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Reports the first character the language has no use for on each line ({@code let y = exp(x # 2)}) and returns
   * those lines. The parser alone reports such a line where its prediction gave up, often before the character (at
   * {@code exp}'s '(' here, having read {@code exp} as a whole expression); its errors on these lines are dropped.
   */
  private static Set<Integer> badCharacters(SourceFile file, List<Token> tokens, Diagnostics diagnostics) {
    Set<Integer> lines = new HashSet<>();
    for (Token t : tokens) {
      if (t.getType() == MdlLexer.BAD_CHAR && lines.add(t.getLine())) {
        diagnostics.error(span(file, t), "unexpected character " + Listener.quoteChar(t.getText()));
      }
    }
    return lines;
  }

  private static String clip(String text) {
    return text.length() > 30 ? text.substring(0, 27) + "..." : text;
  }

  private static dev.modelc.diag.Span span(SourceFile file, Token t) {
    return file.span(t.getStartIndex(), t.getStopIndex() + 1);
  }

  private static final class Listener extends BaseErrorListener {
    private final SourceFile file;
    private final Diagnostics diagnostics;
    private final List<int[]> damaged;
    /** Lines with a character reported by {@link #badCharacters}: the parser's errors there only repeat it. */
    private final Set<Integer> badLines;
    private int lastOffset = -1;
    private int lastLine = -10;

    Listener(SourceFile file, Diagnostics diagnostics, List<int[]> damaged, Set<Integer> badLines) {
      this.file = file;
      this.diagnostics = diagnostics;
      this.damaged = damaged;
      this.badLines = badLines;
    }

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col, String msg,
        RecognitionException e) {
      Token token = (Token) offending;
      int start = token.getType() == Token.EOF ? file.text().length() : token.getStartIndex();
      if (token.getType() == MdlLexer.UNTERMINATED_COMMENT) {
        // never a consequence of an earlier error; the file ends inside it, so nothing after it is reported
        lastOffset = start;
        lastLine = Integer.MAX_VALUE - 2;
        diagnostics.error(file.span(start, start + 2), "comment not closed: the '/*' here has no '*/' to end it");
        return;
      }
      if (token.getType() != Token.EOF && badLines.contains(token.getLine())) {
        lastOffset = start;
        lastLine = token.getLine();
        return;
      }
      if (start == lastOffset || line <= lastLine + 1) {
        // One error per place, and none right after another: what follows a syntax error until the parser is
        // back in step (the rest of the line and the next) is usually a consequence of the first.
        return;
      }
      lastOffset = start;
      lastLine = token.getType() == Token.EOF ? Integer.MAX_VALUE - 2 : line;
      for (int[] range : damaged) {
        if (start >= range[0] && start <= range[1]) {
          return;     // in brackets repaired after an error reported for them
        }
      }
      int end = token.getType() == Token.EOF ? start : token.getStopIndex() + 1;
      MdlParser parser = (MdlParser) recognizer;
      diagnostics.error(file.span(start, end), message(parser, token, e, msg));
    }

    private static String message(MdlParser parser, Token token, RecognitionException e, String raw) {
      String found = describe(token);
      if (token.getType() == MdlLexer.UNTERMINATED_STRING) {
        return "unterminated string: add the closing '\"' on the same line";
      }
      MdlParser.LayerDefContext layer = missingCall(parser, token);
      if (layer != null) {
        return "layer '" + layer.name.getText() + "' has no call definition: add one such as (x) = ... before "
            + "its '}'";
      }
      if (afterWith(parser, token)) {
        return "expected an optimizer call after 'with', such as sgd(lr = 0.1), but found " + found;
      }
      IntervalSet expected = e != null ? e.getExpectedTokens() : parser.getExpectedTokens();
      if (raw.startsWith("extraneous input") || raw.startsWith("mismatched input")
          || e instanceof InputMismatchException || raw.startsWith("missing")) {
        return "expected " + expectedText(parser, expected) + " but found " + found;
      }
      if (e instanceof NoViableAltException) {
        return "unexpected " + found + " here";
      }
      return "unexpected " + found + " (expected " + expectedText(parser, expected) + ")";
    }

    /** The layer being parsed when the parser is at its '}' where the call definition should be, else null. */
    private static MdlParser.LayerDefContext missingCall(MdlParser parser, Token token) {
      if (token.getType() != MdlLexer.RBRACE) {
        return null;
      }
      ParserRuleContext ctx = parser.getContext();
      if (ctx instanceof MdlParser.CallDefContext && ctx.getStart() == token) {
        ctx = ctx.getParent();
      }
      // only once the layer's name and '{' were read (not made up by the parser's recovery)
      return ctx instanceof MdlParser.LayerDefContext l && l.name != null && l.name.getStartIndex() >= 0
          && l.LBRACE() != null && l.LBRACE().getSymbol().getStartIndex() >= 0 ? l : null;
    }

    /** Whether the token comes where a minimize's optimizer call should: after 'with', or after 'with' and a name. */
    private static boolean afterWith(MdlParser parser, Token token) {
      int i = token.getTokenIndex();
      org.antlr.v4.runtime.TokenStream in = parser.getTokenStream();
      if (i >= 1 && in.get(i - 1).getType() == MdlLexer.WITH) {
        return token.getType() != MdlLexer.ID;
      }
      return i >= 2 && in.get(i - 2).getType() == MdlLexer.WITH && in.get(i - 1).getType() == MdlLexer.ID
          && token.getType() != MdlLexer.LPAREN;
    }

    private static String expectedText(MdlParser parser, IntervalSet set) {
      if (set == null || set.isNil()) {
        return "something else";
      }
      List<Integer> types = set.toList();
      if (types.contains(MdlParser.MODEL) && types.contains(MdlParser.LAYER)) {
        return "'model' or 'layer'";
      }
      if (types.size() > 4) {
        if (types.contains(MdlParser.INT) && types.contains(MdlParser.ID) && types.contains(MdlParser.LPAREN)) {
          return "an expression";
        }
        if (types.contains(MdlParser.INPUT) && types.contains(MdlParser.LET)) {
          return "a declaration (input, param, let, output, minimize, or an instance) or '}'";
        }
      }
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < types.size(); i++) {
        if (i > 0) {
          out.append(i == types.size() - 1 ? " or " : ", ");
        }
        out.append(tokenName(parser, types.get(i)));
      }
      return out.toString();
    }

    private static String tokenName(MdlParser parser, int type) {
      return switch (type) {
        case Token.EOF -> "end of file";
        case MdlParser.ID -> "a name";
        case MdlParser.INT -> "an integer";
        case MdlParser.FLOAT -> "a number";
        case MdlParser.STRING -> "a string";
        default -> parser.getVocabulary().getLiteralName(type) != null
            ? parser.getVocabulary().getLiteralName(type)
            : parser.getVocabulary().getDisplayName(type);
      };
    }

    private static String describe(Token token) {
      if (token.getType() == Token.EOF) {
        return "end of file";
      }
      String text = token.getText();
      if (text.length() > 30) {
        text = text.substring(0, 27) + "...";
      }
      return "'" + printable(text) + "'";
    }

    /** A character as {@code 'c'}, or as {@code U+XXXX} when it would not show: controls, format characters
     *  (a byte order mark, zero-width spaces), separators other than the space, the replacement character. */
    private static String quoteChar(String text) {
      int c = text.isEmpty() ? '?' : text.codePointAt(0);
      int type = Character.getType(c);
      boolean invisible = type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED
          || type == Character.PRIVATE_USE || type == Character.SURROGATE || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR || (type == Character.SPACE_SEPARATOR && c != ' ') || c == 0xfffd;
      return invisible ? String.format("U+%04X", c) : "'" + Character.toString(c) + "'";
    }

    private static String printable(String s) {
      StringBuilder out = new StringBuilder();
      for (char c : s.toCharArray()) {
        out.append(c < 0x20 || c == 0x7f ? '?' : c);
      }
      return out.toString();
    }
  }
}
