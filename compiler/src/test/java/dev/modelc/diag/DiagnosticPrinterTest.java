package dev.modelc.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Places and excerpts of findings, on ordinary lines and on one line of 600,000 characters. A finding on a long line
 * once copied the whole line to show 120 columns of it, so 10,000 findings on one line took longer than the rest of
 * the compilation many times over; the place and the window are now had without reading the line.
 */
class DiagnosticPrinterTest {
  /** 66,667 tokens of 8 characters, {@code t0000000 t0000001 ...}: token k is at column 9 k + 1 of line 2. */
  static final String LONG = IntStream.range(0, 66_667).mapToObj("t%07d"::formatted).collect(Collectors.joining(" "));
  static final SourceFile FILE = new SourceFile("long.mdl", "model M {\n" + LONG + "\r\n}\n");

  /** The span of token k of the long line. */
  static Span token(int k) {
    int start = "model M {\n".length() + 9 * k;
    return FILE.span(start, start + 8);
  }

  static String text(Span at) {
    return DiagnosticPrinter.text(new Diagnostic(Diagnostic.Severity.ERROR, at, "bad"), FILE);
  }

  @Test
  void placesAnOffsetOnAVeryLongLine() {
    assertEquals(600_002, FILE.length(2));
    assertEquals(new Span("long.mdl", 450_010, 450_018, 2, 450_001, 2, 450_009), token(50_000));
    assertEquals(new Span("long.mdl", 600_014, 600_015, 3, 1, 3, 2), FILE.span(600_014, 600_015));
    assertEquals("t0050000", FILE.line(2, 450_000, 450_008));
    assertEquals("t0066666", FILE.line(2, 599_994, 700_000));
    assertEquals(LONG, FILE.line(2));
    assertEquals(450_010, FILE.offset(2, 450_001));
    assertEquals(600_012, FILE.offset(2, 900_000), "a column past the line's end is clamped to just past it");
    assertEquals(600_014, FILE.offset(3, 1));
    assertFalse(FILE.isBlank(2));
    assertTrue(FILE.isBlank(4), "the empty line after the last \\n");
  }

  @Test
  void aFindingOnAVeryLongLineShowsAWindowAroundItsCaret() {
    assertEquals("""
        long.mdl:2:450001: error: bad
          ...995 t0049996 t0049997 t0049998 t0049999 t0050000 t0050001 t0050002 t0050003 t0050004 t0050005 \
        t0050006 t0050007 t0050008...
          %s^~~~~~~~
        """.formatted(" ".repeat(43)), text(token(50_000)));
    assertEquals("""
        long.mdl:2:1: error: bad
          t0000000 t0000001 t0000002 t0000003 t0000004 t0000005 t0000006 t0000007 t0000008 t0000009 t0000010 \
        t0000011 t0000012 t00...
          ^~~~~~~~
        """, text(token(0)));
    assertEquals("""
        long.mdl:2:599995: error: bad
          ...653 t0066654 t0066655 t0066656 t0066657 t0066658 t0066659 t0066660 t0066661 t0066662 t0066663 \
        t0066664 t0066665 t0066666
          %s^~~~~~~~
        """.formatted(" ".repeat(115)), text(token(66_666)));
  }

  @Test
  void anOrdinaryLineIsShownWholeAndABlankOneNotAtAll() {
    SourceFile f = new SourceFile("a.mdl", "model M {\n\tlet y = q + 1\r\n   \n\f\n}");
    String tab = DiagnosticPrinter.text(new Diagnostic(Diagnostic.Severity.WARNING, f.span(19, 20), "q"), f);
    assertEquals("a.mdl:2:10: warning: q\n  \tlet y = q + 1\n  \t        ^\n", tab);
    String blank = DiagnosticPrinter.text(new Diagnostic(Diagnostic.Severity.ERROR, f.span(27, 27), "end"), f);
    assertEquals("a.mdl:3:2: error: end\n", blank);
    String formFeed = DiagnosticPrinter.text(new Diagnostic(Diagnostic.Severity.ERROR, f.span(30, 31), "ff"), f);
    assertEquals("a.mdl:4:1: error: ff\n  ?\n  ^\n", formFeed);
  }

  /**
   * 20,000 findings on the long line: each renders allocating about 3 KB, not the copies of the whole line (1.8 MB
   * each) it once made, and the whole report, text and JSON, is made. Work counted, not time taken.
   */
  @Test
  void twentyThousandFindingsOnOneLongLineEachCostWhatOneOnAShortLineDoes() {
    var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled());
    long id = Thread.currentThread().getId();
    Diagnostics diagnostics = new Diagnostics();
    diagnostics.addFile(FILE);
    for (int i = 0; i < 20_000; i++) {
      diagnostics.warning(token(i * 3), "'t" + i + "' is computed but never used");
      Diagnostic d = diagnostics.all().get(i);
      long before = bean.getThreadAllocatedBytes(id);
      String text = DiagnosticPrinter.text(d, FILE);
      long allocated = bean.getThreadAllocatedBytes(id) - before;
      assertTrue(allocated < 32_768, () -> "the finding at " + d.span() + " allocated " + allocated + " bytes");
      assertTrue(text.length() < 400, text);
    }
    String report = DiagnosticPrinter.text(diagnostics);
    assertTrue(report.endsWith("100 warnings shown; 19900 more not shown\n"), report.substring(report.length() - 200));
    assertEquals(20_000, DiagnosticPrinter.json(diagnostics).lines().count());
  }
}
