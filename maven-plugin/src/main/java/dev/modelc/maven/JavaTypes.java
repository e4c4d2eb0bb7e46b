package dev.modelc.maven;

import java.util.ArrayList;
import java.util.List;

/**
 * The package and the top-level types (classes, interfaces, enums, records, annotation interfaces) a Java source
 * file declares, read by a small lexer rather than javac: comments, string, character and text-block literals are
 * skipped, and so is everything between braces or parentheses, so a nested class, a {@code class X} in a comment or
 * string, or an annotation's {@code Foo.class} argument is not taken for a declaration. What is left at the top
 * level is the {@code package} statement, the imports and, for each type, its modifiers, annotations, keyword and
 * name. The text need not compile: the lexer never fails, it finds what it can. Unicode escapes ({@code \u0022})
 * are not translated.
 */
final class JavaTypes {
  /** What a file declares: its package (empty for the unnamed package) and its top-level types' simple names. */
  record Unit(String packageName, List<String> types) {}

  /** A word (identifier, keyword or number) or one punctuation character outside braces and parentheses. */
  private record Token(String text) {
    boolean isWord() {
      return Character.isJavaIdentifierPart(text.charAt(0));
    }
  }

  private final String text;
  private int pos;

  private JavaTypes(String text) {
    this.text = text;
  }

  /** The package and top-level types of a Java source file's text. */
  static Unit scan(String text) {
    JavaTypes lexer = new JavaTypes(text);
    return lexer.unit(lexer.topLevelTokens());
  }

  private Unit unit(List<Token> tokens) {
    String pkg = "";
    List<String> types = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      String word = tokens.get(i).text();
      if (word.equals("package")) {
        pkg = dottedName(tokens, i + 1);
        i = statementEnd(tokens, i);
      } else if (word.equals("import")) {
        i = statementEnd(tokens, i);
      } else if (isTypeKeyword(tokens, i)) {
        types.add(tokens.get(i + 1).text());
        i++;
      }
    }
    return new Unit(pkg, List.copyOf(types));
  }

  /**
   * Whether the token at {@code i} starts a type's name: {@code class}, {@code interface} (also of {@code @interface}),
   * {@code enum} or {@code record}, not after a dot, followed by a name.
   */
  private static boolean isTypeKeyword(List<Token> tokens, int i) {
    String word = tokens.get(i).text();
    boolean keyword = word.equals("class") || word.equals("interface") || word.equals("enum") || word.equals("record");
    return keyword && (i == 0 || !tokens.get(i - 1).text().equals("."))
        && i + 1 < tokens.size() && tokens.get(i + 1).isWord();
  }

  /** The words and dots from {@code from} to the next semicolon, joined: {@code demo.models}. */
  private static String dottedName(List<Token> tokens, int from) {
    StringBuilder name = new StringBuilder();
    for (int i = from; i < tokens.size() && !tokens.get(i).text().equals(";"); i++) {
      name.append(tokens.get(i).text());
    }
    return name.toString();
  }

  /** The index of the semicolon that ends the statement starting at {@code from}, or the last token's. */
  private static int statementEnd(List<Token> tokens, int from) {
    int i = from;
    while (i < tokens.size() - 1 && !tokens.get(i).text().equals(";")) {
      i++;
    }
    return i;
  }

  /** The tokens outside every brace and parenthesis pair, comments and literals skipped. */
  private List<Token> topLevelTokens() {
    List<Token> tokens = new ArrayList<>();
    int depth = 0;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      int start = pos;
      if (skipCommentOrLiteral()) {
        continue;
      }
      if (c == '{' || c == '(') {
        depth++;
        pos++;
      } else if (c == '}' || c == ')') {
        depth = Math.max(0, depth - 1);
        pos++;
      } else if (Character.isJavaIdentifierPart(c) && !Character.isIdentifierIgnorable(c)) {
        skipWord();
      } else {
        pos++;
      }
      if (depth == 0 && c != '}' && c != ')' && !Character.isWhitespace(c)) {
        tokens.add(new Token(text.substring(start, pos)));
      }
    }
    return tokens;
  }

  /** Skips a comment or a string, text-block or character literal at {@code pos}; false when none starts there. */
  private boolean skipCommentOrLiteral() {
    if (text.startsWith("//", pos)) {
      skipPast("\n", pos + 2);
    } else if (text.startsWith("/*", pos)) {
      skipPast("*/", pos + 2);
    } else if (text.startsWith("\"\"\"", pos)) {
      skipQuoted("\"\"\"", pos + 3);
    } else if (text.charAt(pos) == '"') {
      skipQuoted("\"", pos + 1);
    } else if (text.charAt(pos) == '\'') {
      skipQuoted("'", pos + 1);
    } else {
      return false;
    }
    return true;
  }

  /** Moves past the first {@code end} at or after {@code from}, or to the end of the text. */
  private void skipPast(String end, int from) {
    int at = text.indexOf(end, from);
    pos = at < 0 ? text.length() : at + end.length();
  }

  /**
   * Moves past a literal's closing {@code quote}, searching from {@code from} and stepping over backslash escapes
   * ({@code \"}, {@code \\}); a one-line literal left open ends at its line's end, as javac's error would.
   */
  private void skipQuoted(String quote, int from) {
    int i = from;
    boolean oneLine = !quote.equals("\"\"\"");
    while (i < text.length() && !text.startsWith(quote, i) && !(oneLine && text.charAt(i) == '\n')) {
      i += text.charAt(i) == '\\' ? 2 : 1;
    }
    pos = Math.min(text.length(), text.startsWith(quote, i) ? i + quote.length() : i);
  }

  private void skipWord() {
    while (pos < text.length() && Character.isJavaIdentifierPart(text.charAt(pos))
        && !Character.isIdentifierIgnorable(text.charAt(pos))) {
      pos++;
    }
  }
}
