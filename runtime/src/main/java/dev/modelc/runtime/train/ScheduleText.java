package dev.modelc.runtime.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One part of a schedule's text form ({@link Schedule#parse}): a kind and its {@code key=value} parameters, checked
 * against what the kind accepts so a mistyped flag fails instead of silently taking a default.
 */
final class ScheduleText {
    final String text;
    final String kind;
    final Map<String, String> args = new LinkedHashMap<>();

    private ScheduleText(String text, String kind) {
        this.text = text;
        this.kind = kind;
    }

    static ScheduleText parse(String text) {
        int colon = text.indexOf(':');
        ScheduleText p = new ScheduleText(text, (colon < 0 ? text : text.substring(0, colon)).trim().toLowerCase(Locale.ROOT));
        if (colon >= 0 && !text.substring(colon + 1).isBlank()) {
            for (String kv : text.substring(colon + 1).split(",")) {
                int eq = kv.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("schedule part '" + text + "': expected key=value, got '"
                            + kv.trim() + "'");
                }
                if (p.args.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim()) != null) {
                    throw new IllegalArgumentException("schedule part '" + text + "': "
                            + kv.substring(0, eq).trim() + " given twice");
                }
            }
        }
        return p;
    }

    Schedule build(double base) {
        List<String> allowed = new ArrayList<>(List.of("for"));
        Schedule s = switch (kind) {
            case "constant" -> Schedule.constant(base);
            case "step" -> {
                allowed.addAll(List.of("size", "step_size", "gamma"));
                yield Schedule.step(base, integer(required("size", "step_size")), nonNegative("gamma", 0.1));
            }
            case "exp", "exponential" -> {
                allowed.add("gamma");
                yield Schedule.exponential(base, nonNegative(required("gamma"), 0));
            }
            case "cosine", "cos" -> {
                allowed.addAll(List.of("T", "T_max", "min", "eta_min"));
                String min = args.containsKey("eta_min") ? "eta_min" : "min";
                yield Schedule.cosine(base, integer(required("T", "T_max")), nonNegative(min, 0));
            }
            case "linear", "warmup" -> {
                allowed.addAll(List.of("start", "start_factor", "end", "end_factor", "iters", "total_iters"));
                String start = either("start", "start_factor");
                String end = either("end", "end_factor");
                double startFactor = number(start, 1.0 / 3);
                double endFactor = number(end, 1.0);
                // the keys and values as written (parse puts the part in front of the message)
                LinearFactors.check(startFactor, start, args.get(start), endFactor, end, args.get(end));
                yield Schedule.linear(base, startFactor, endFactor, args.containsKey("iters")
                                || args.containsKey("total_iters") ? integer(required("iters", "total_iters")) : 5);
            }
            default -> throw new IllegalArgumentException("schedule part '" + text + "': unknown kind '" + kind
                    + "' (constant, step, exp, cosine, linear)");
        };
        for (String key : args.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException("schedule part '" + text + "': unknown key '" + key
                        + "' for " + kind + " (" + String.join(", ", allowed) + ")");
            }
        }
        return s;
    }

    /** The part's length in a composition: {@code for}, or a linear warm-up's iterations. */
    Integer length() {
        if (args.containsKey("for")) {
            int length = integer("for");
            if (length < 1) {
                throw new IllegalArgumentException("schedule part '" + text + "': for must be at least 1, got "
                        + length);
            }
            return length;
        }
        if (kind.equals("linear") || kind.equals("warmup")) {
            return args.containsKey("iters") || args.containsKey("total_iters")
                    ? integer(required("iters", "total_iters")) : 5;
        }
        return null;
    }

    private String required(String... keys) {
        for (String k : keys) {
            if (args.containsKey(k)) {
                return k;
            }
        }
        throw new IllegalArgumentException("schedule part '" + text + "': " + kind + " needs " + keys[0] + "=");
    }

    private String either(String a, String b) {
        return args.containsKey(b) ? b : a;
    }

    private int integer(String key) {
        try {
            return Integer.parseInt(args.get(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("schedule part '" + text + "': " + key + "=" + args.get(key)
                    + " is not an integer");
        }
    }

    /** A factor or floor of the rate: below zero, the rate would turn negative part way through a run. */
    private double nonNegative(String key, double fallback) {
        double d = number(key, fallback);
        if (d < 0) {
            throw new IllegalArgumentException("schedule part '" + text + "': " + key + " must be >= 0 (the "
                    + "learning rate must not become negative), got " + args.get(key));
        }
        return d;
    }

    private double number(String key, double fallback) {
        String v = args.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("schedule part '" + text + "': " + key + "=" + v
                    + " is not a number");
        }
    }
}
