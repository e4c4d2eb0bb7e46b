package dev.modelc.cli.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;

/**
 * The training curve of {@code modelc train --plot FILE}: loss per epoch (training and, when there is held-out data,
 * held-out) on the left axis and held-out accuracy on the right, drawn with JFreeChart into an SVG (JFreeSVG) or a
 * PNG file, chosen by the file's extension.
 */
public final class TrainingPlot {
  private static final int WIDTH = 800;
  private static final int HEIGHT = 480;

  private TrainingPlot() {}

  /** True when {@code file} names a format this class writes. */
  public static boolean supports(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".svg") || name.endsWith(".png");
  }

  public static void write(Path file, String title, List<EpochMetrics> epochs) throws IOException {
    System.setProperty("java.awt.headless", "true");
    JFreeChart chart = chart(title, epochs);
    if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".svg")) {
      SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
      chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
      SVGUtils.writeToSVG(file.toFile(), g.getSVGElement());
    } else {
      ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }
  }

  static JFreeChart chart(String title, List<EpochMetrics> epochs) {
    XYSeries train = new XYSeries("training loss");
    XYSeries val = new XYSeries("held-out loss");
    XYSeries accuracy = new XYSeries("held-out accuracy");
    for (EpochMetrics m : epochs) {
      add(train, m.epoch(), m.trainLoss());
      add(val, m.epoch(), m.valLoss());
      add(accuracy, m.epoch(), m.valAccuracy());
    }
    XYSeriesCollection losses = new XYSeriesCollection(train);
    if (!val.isEmpty()) {
      losses.addSeries(val);
    }
    NumberAxis epochAxis = new NumberAxis("epoch");
    epochAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    NumberAxis lossAxis = new NumberAxis("loss");
    lossAxis.setAutoRangeIncludesZero(false);
    XYPlot plot = new XYPlot(losses, epochAxis, lossAxis, renderer(Color.decode("#1f77b4"), Color.decode("#ff7f0e")));
    if (!accuracy.isEmpty()) {
      NumberAxis accuracyAxis = new NumberAxis("accuracy");
      accuracyAxis.setRange(0, 1);
      plot.setRangeAxis(1, accuracyAxis);
      plot.setDataset(1, new XYSeriesCollection(accuracy));
      plot.mapDatasetToRangeAxis(1, 1);
      plot.setRenderer(1, renderer(Color.decode("#2ca02c")));
    }
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  private static void add(XYSeries series, int epoch, double value) {
    if (Double.isFinite(value)) {
      series.add(epoch, value);
    }
  }

  private static XYLineAndShapeRenderer renderer(Color... colors) {
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < colors.length; i++) {
      r.setSeriesPaint(i, colors[i]);
      r.setSeriesStroke(i, new BasicStroke(2f));
    }
    return r;
  }
}
