package dev.modelc.runtime.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small, strict JSON reader and string writer that safetensors headers need, so that the runtime jar stays free
 * of dependencies. Reading follows RFC 8259 exactly and refuses what a lenient parser would guess at: duplicate
 * object keys, trailing commas, comments, leading zeros, unpaired surrogates, control characters in strings, and
 * anything but whitespace after the value. Nesting is bounded ({@link #MAX_DEPTH}).
 *
 * <p>Values become {@link LinkedHashMap} (keys in file order), {@link List}, {@link String}, {@link Boolean},
 * {@code null}, {@link Long} for numbers without fraction or exponent that fit, and {@link Double} otherwise.
 */
public final class Json {
    public static final int MAX_DEPTH = 64;

    /** A malformed document: the message gives the character offset. */
    public static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;

        ParseException(String message, int offset) {
            super(message + " at character " + offset);
        }
    }

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    public static Object parse(String text) throws ParseException {
        Json p = new Json(text);
        p.skipSpace();
        Object value = p.value(0);
        p.skipSpace();
        if (p.pos != text.length()) {
            throw new ParseException("unexpected '" + text.charAt(p.pos) + "' after the value", p.pos);
        }
        return value;
    }

    private Object value(int depth) throws ParseException {
        if (depth > MAX_DEPTH) {
            throw new ParseException("nesting deeper than " + MAX_DEPTH, pos);
        }
        if (pos >= text.length()) {
            throw new ParseException("unexpected end of text", pos);
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw new ParseException("unexpected '" + c + "'", pos);
        }
    }

    private Map<String, Object> object(int depth) throws ParseException {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        skipSpace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw new ParseException("expected a string key", pos);
            }
            int keyAt = pos;
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            Object v = value(depth + 1);
            if (map.containsKey(key)) {
                throw new ParseException("duplicate key \"" + key + "\"", keyAt);
            }
            map.put(key, v);
            skipSpace();
            char c = peek();
            pos++;
            if (c == '}') {
                return map;
            }
            if (c != ',') {
                throw new ParseException("expected ',' or '}'", pos - 1);
            }
        }
    }

    private List<Object> array(int depth) throws ParseException {
        List<Object> list = new ArrayList<>();
        pos++;
        skipSpace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipSpace();
            list.add(value(depth + 1));
            skipSpace();
            char c = peek();
            pos++;
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                throw new ParseException("expected ',' or ']'", pos - 1);
            }
        }
    }

    private String string() throws ParseException {
        int start = pos;
        pos++;
        StringBuilder s = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw new ParseException("unterminated string", start);
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                break;
            }
            if (c < 0x20) {
                throw new ParseException("control character in a string", pos - 1);
            }
            if (c != '\\') {
                s.append(c);
                continue;
            }
            char e = pos < text.length() ? text.charAt(pos++) : 0;
            switch (e) {
                case '"', '\\', '/' -> s.append(e);
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'u' -> s.append(hex4());
                default -> throw new ParseException("bad escape in a string", pos - 1);
            }
        }
        String out = s.toString();
        for (int i = 0; i < out.length(); i++) {
            char c = out.charAt(i);
            if (Character.isHighSurrogate(c) && (i + 1 == out.length() || !Character.isLowSurrogate(out.charAt(i + 1)))
                    || Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(out.charAt(i - 1)))) {
                throw new ParseException("unpaired surrogate in a string", start);
            }
        }
        return out;
    }

    private char hex4() throws ParseException {
        if (pos + 4 > text.length()) {
            throw new ParseException("short \\u escape", pos);
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos + i), 16);
            if (d < 0) {
                throw new ParseException("bad \\u escape", pos);
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private Object number() throws ParseException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (peek() >= '1' && peek() <= '9') {
            digits();
        } else {
            throw new ParseException("bad number", start);
        }
        boolean integral = true;
        if (peek() == '.') {
            pos++;
            integral = false;
            if (digits() == 0) {
                throw new ParseException("bad number", start);
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            integral = false;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (digits() == 0) {
                throw new ParseException("bad number", start);
            }
        }
        String n = text.substring(start, pos);
        if (integral && n.length() <= 19) {
            try {
                return Long.parseLong(n);
            } catch (NumberFormatException tooLarge) {
                // falls through to a double
            }
        }
        return Double.parseDouble(n);
    }

    private int digits() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        return pos - start;
    }

    private Object literal(String word, Object value) throws ParseException {
        if (!text.startsWith(word, pos)) {
            throw new ParseException("unexpected '" + text.charAt(pos) + "'", pos);
        }
        pos += word.length();
        return value;
    }

    private void expect(char c) throws ParseException {
        if (peek() != c) {
            throw new ParseException("expected '" + c + "'", pos);
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** {@code s} as a JSON string literal, with quotes; non-ASCII characters are kept (the file is UTF-8). */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {           // control characters, C0 and C1
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
