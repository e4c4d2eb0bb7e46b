package dev.modelc.runtime.data;

import dev.modelc.runtime.io.ArrayData;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a numeric CSV file with a header row into a {@link Dataset}, one sample per row.
 *
 * <p><b>Columns to arrays.</b> A column named {@code p[i]}, {@code p_i} or {@code pi} (the prefix {@code p} not
 * ending in a digit or {@code _}, {@code i} a decimal index without leading zeros) is element {@code i} of array
 * {@code p}. When the indices of {@code p} are exactly 0 to k-1 (in any column order) and no column is named
 * {@code p} itself, they form the array {@code p : f64[N, k]}, ordered by index. Every other column {@code c} is
 * the array {@code c : f64[N]}. So columns {@code x0..x19, t} give {@code x : [N, 20]} and {@code t : [N]}, which
 * bind to model inputs {@code x : f32[B, 20]} and {@code t : i32[B]} (values are read as f64 and converted to the
 * input's type when bound; a non-integer value for an i32 input is an error).
 *
 * <p><b>Strict syntax.</b> Fields are separated by commas and may have spaces around them; there is no quoting.
 * Header names must be non-empty and distinct. Every row has as many fields as the header. A value is a decimal
 * number ({@code -1}, {@code 2.5}, {@code .5}, {@code 1e-3}); {@code nan}, {@code inf}, empty fields and anything
 * else are errors reported as {@code file:line:column: message}. A UTF-8 byte-order mark and blank lines at the
 * end are ignored; a blank line between rows is an error.
 */
public final class Csv {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INDEXED = Pattern.compile("(.*[^0-9_\\]])(?:\\[(0|[1-9]\\d*)\\]|_?(0|[1-9]\\d*))");

    private Csv() {}

    public static Dataset read(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(line);
            }
        } catch (CharacterCodingException e) {
            throw new DataException(file + ": not UTF-8 text");
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        if (lines.isEmpty()) {
            throw new DataException(file + ": empty file; expected a header row of column names");
        }
        String headerLine = lines.get(0).startsWith("\uFEFF") ? lines.get(0).substring(1) : lines.get(0);
        List<Field> header = split(headerLine);
        String[] names = new String[header.size()];
        for (int c = 0; c < names.length; c++) {
            Field f = header.get(c);
            names[c] = f.text;
            if (names[c].isEmpty()) {
                throw new DataException(file + ":1:" + f.column + ": empty column name");
            }
            for (int k = 0; k < c; k++) {
                if (names[k].equals(names[c])) {
                    throw new DataException(file + ":1:" + f.column + ": column " + names[c] + " appears twice");
                }
            }
        }
        if (java.util.Arrays.stream(names).allMatch(n -> NUMBER.matcher(n).matches())) {
            throw new DataException(file + ":1:1: the first line holds numbers, not column names; a CSV file starts "
                    + "with a header row naming its columns (x0,x1,...,t)");
        }
        int width = names.length;
        int rows = lines.size() - 1;
        double[] values = new double[Math.multiplyExact(rows, width)];
        for (int row = 0; row < rows; row++) {
            int lineNo = row + 2;
            String line = lines.get(row + 1);
            if (line.isBlank()) {
                throw new DataException(file + ":" + lineNo + ":1: blank line between rows");
            }
            List<Field> fields = split(line);
            if (fields.size() != width) {
                throw new DataException(file + ":" + lineNo + ":" + (fields.size() > width
                        ? fields.get(width).column : line.length() + 1) + ": expected " + width + " fields ("
                        + String.join(",", names) + "), found " + fields.size());
            }
            for (int c = 0; c < width; c++) {
                Field f = fields.get(c);
                if (!NUMBER.matcher(f.text).matches()) {
                    throw new DataException(file + ":" + lineNo + ":" + f.column + ": column " + names[c] + ": "
                            + (f.text.isEmpty() ? "empty field" : "'" + clip(f.text) + "' is not a number"));
                }
                double v = Double.parseDouble(f.text);
                if (Double.isInfinite(v)) {
                    throw new DataException(file + ":" + lineNo + ":" + f.column + ": column " + names[c] + ": '"
                            + clip(f.text) + "' is out of range");
                }
                values[row * width + c] = v;
            }
        }
        return group(file, names, values, rows);
    }

    /** Applies the column rule: indexed columns with indices 0..k-1 become one [N, k] array. */
    private static Dataset group(Path file, String[] names, double[] values, int rows) throws DataException {
        Map<String, TreeMap<Integer, Integer>> indexed = new LinkedHashMap<>();
        for (int c = 0; c < names.length; c++) {
            Matcher m = INDEXED.matcher(names[c]);
            if (m.matches()) {
                String index = m.group(2) != null ? m.group(2) : m.group(3);
                if (index.length() <= 9) {
                    indexed.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(Integer.parseInt(index), c);
                }
            }
        }
        List<String> plain = Arrays.asList(names);
        Map<Integer, String> groupAt = new LinkedHashMap<>();
        Map<String, int[]> groupColumns = new LinkedHashMap<>();
        for (Map.Entry<String, TreeMap<Integer, Integer>> g : indexed.entrySet()) {
            TreeMap<Integer, Integer> byIndex = g.getValue();
            boolean complete = byIndex.firstKey() == 0 && byIndex.lastKey() == byIndex.size() - 1;
            if (complete && !plain.contains(g.getKey())) {
                int[] columns = byIndex.values().stream().mapToInt(Integer::intValue).toArray();
                groupColumns.put(g.getKey(), columns);
                groupAt.put(Arrays.stream(columns).min().getAsInt(), g.getKey());
            }
        }
        java.util.Set<Integer> grouped = new java.util.HashSet<>();
        for (int[] cs : groupColumns.values()) {
            for (int c : cs) {
                grouped.add(c);
            }
        }
        int width = names.length;
        List<ArrayData> arrays = new ArrayList<>();
        Map<String, String> origins = new LinkedHashMap<>();
        for (int c = 0; c < width; c++) {
            String g = groupAt.get(c);
            if (g != null) {
                int[] columns = groupColumns.get(g);
                double[] a = new double[rows * columns.length];
                for (int r = 0; r < rows; r++) {
                    for (int k = 0; k < columns.length; k++) {
                        a[r * columns.length + k] = values[r * width + columns[k]];
                    }
                }
                arrays.add(ArrayData.of(g, a, rows, columns.length));
                origins.put(g, columns.length + (columns.length == 1 ? " column " : " columns ")
                        + names[columns[0]] + (columns.length > 1 ? ".." + names[columns[columns.length - 1]] : ""));
            } else if (!grouped.contains(c)) {
                double[] a = new double[rows];
                for (int r = 0; r < rows; r++) {
                    a[r] = values[r * width + c];
                }
                arrays.add(ArrayData.of(names[c], a, rows));
                origins.put(names[c], "1 column " + names[c]);
            }
        }
        Map<String, int[]> columnsOf = new LinkedHashMap<>(groupColumns);
        for (int c = 0; c < width; c++) {
            if (!grouped.contains(c)) {
                columnsOf.put(names[c], new int[] {c});
            }
        }
        return new Dataset(file.toString(), arrays, origins, (array, element) -> {
            int[] columns = columnsOf.get(array);
            return columns == null ? null : cell(file, names, element / columns.length + 2,
                    columns[element % columns.length]);
        });
    }

    /**
     * The cell on line {@code lineNo} (1-based, the header is line 1) in column {@code c}: the file is read again,
     * as this is asked only for an error message; null if it changed meanwhile.
     */
    private static Dataset.Cell cell(Path file, String[] names, int lineNo, int c) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = null;
            for (int i = 0; i < lineNo; i++) {
                line = r.readLine();
            }
            List<Field> fields = line == null ? List.of() : split(line);
            if (c >= fields.size()) {
                return null;
            }
            return new Dataset.Cell(file + ":" + lineNo + ":" + fields.get(c).column, names[c],
                    clip(fields.get(c).text));
        } catch (IOException e) {
            return null;
        }
    }

    private record Field(String text, int column) {}

    /** A field as quoted in a message: at most 40 characters, so that a huge bad field gives a short line. */
    private static String clip(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "... (" + text.length() + " characters)";
    }

    /** Splits on commas; each field trimmed of spaces and tabs, with the 1-based column where its text starts. */
    private static List<Field> split(String line) {
        List<Field> fields = new ArrayList<>();
        int start = 0;
        while (true) {
            int comma = line.indexOf(',', start);
            int end = comma < 0 ? line.length() : comma;
            int a = start;
            int b = end;
            while (a < b && (line.charAt(a) == ' ' || line.charAt(a) == '\t')) {
                a++;
            }
            while (b > a && (line.charAt(b - 1) == ' ' || line.charAt(b - 1) == '\t')) {
                b--;
            }
            fields.add(new Field(line.substring(a, b), a + 1));
            if (comma < 0) {
                return fields;
            }
            start = comma + 1;
        }
    }
}
