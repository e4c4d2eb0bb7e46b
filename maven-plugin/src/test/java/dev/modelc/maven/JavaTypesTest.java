package dev.modelc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The lexer that finds a Java file's package and top-level types, and what it must not take for a declaration. */
class JavaTypesTest {
  private static List<String> names(String text) {
    return JavaTypes.scan(text).types();
  }

  @Test
  void twoTopLevelClasses() {
    String text = """
        package demo;

        public class Helpers {}

        class Net {
        }
        """;
    assertEquals(List.of("Helpers", "Net"), names(text));
    assertEquals("demo", JavaTypes.scan(text).packageName());
  }

  @Test
  void everyKindOfTypeDeclarationWithModifiersAndAnnotations() {
    String text = """
        package a.b.c;
        import java.util.List;
        import static java.util.Map.entry;
        @Deprecated public abstract class A<T extends Comparable<T>> extends Object implements Runnable {}
        interface I {}
        sealed interface S permits R {}
        enum E { X, Y }
        record R(int x, List<String> y) implements S {}
        @interface Note { String value() default ""; }
        final non-sealed class F {}
        """;
    assertEquals(List.of("A", "I", "S", "E", "R", "Note", "F"), names(text));
    assertEquals("a.b.c", JavaTypes.scan(text).packageName());
  }

  @Test
  void nestedAndLocalTypesAreNotTopLevel() {
    String text = """
        class Outer {
          static class Inner { class Deeper {} }
          interface Callback {}
          enum Mode { ON { void f() {} }, OFF }
          record Point(int x) {}
          void m() { class Local {} Runnable r = new Runnable() { public void run() {} }; }
        }
        """;
    assertEquals(List.of("Outer"), names(text));
  }

  @Test
  void commentsAreSkipped() {
    String text = """
        // class LineComment {
        /* class BlockComment { */
        /** The app; see class Javadoc. { */
        class App {}
        /* } class AfterBrace */
        """;
    assertEquals(List.of("App"), names(text));
  }

  /** Braces in literals inside a body must not end it early, or a nested class would look top-level. */
  @Test
  void stringCharAndTextBlockLiteralsAreSkipped() {
    String text = """
        class App {
          String s = "} class InString {";
          String escaped = "\\" } class AfterEscapedQuote {";
          char c = '}';
          char q = '"';
          char e = '\\'';
          String block = \"""
              } class InTextBlock { \\\""" }
              \""";
          class Nested {}
        }
        class Second {}
        """;
    assertEquals(List.of("App", "Second"), names(text));
  }

  @Test
  void classLiteralsAndImportsOfPackagesNamedLikeKeywordsAreNotDeclarations() {
    String text = """
        package app.record;
        import record.enumeration.Thing;
        import app.record.Other;
        @Anno(value = Thing.class, other = { Other.class })
        class Real {}
        """;
    assertEquals(List.of("Real"), names(text));
    assertEquals("app.record", JavaTypes.scan(text).packageName());
  }

  @Test
  void theUnnamedPackageAndPackageAnnotations() {
    assertEquals("", JavaTypes.scan("class A {}").packageName());
    assertEquals("demo", JavaTypes.scan("/** Docs. */\n@Deprecated\npackage demo;\n").packageName());
    assertEquals(List.of(), names("@Deprecated\npackage demo;\n"));
    assertEquals(List.of(), names("module demo.app { requires java.base; }"));
  }

  @Test
  void brokenTextFindsWhatItCan() {
    assertEquals(List.of("A"), names("class A { \"unterminated\n class B {} }"));
    assertEquals(List.of(), names("class"));
    assertEquals(List.of("A"), names("class A /* open comment class B {}"));
    assertEquals(List.of(), names("package demo"));
  }
}
