package dev.modelc.runtime.api;

import java.util.ArrayList;
import java.util.List;

/**
 * What anomaly detection needs to know about each step of a generated class: what it writes, how many elements,
 * and which ops made them, with their {@code .mdl} positions. A generated class carries it as text
 * ({@code anomalyTable()}), read the first time detection is switched on. One line per checked step:
 *
 * <pre>
 *   source net.mdl
 *   check 3 forward loop buffer:1 N - 4:14 log %5 ;; 4:20 add %6
 *   check 7 backward reduce buffer:2 1 N*10 9:14 mul %20 (gradient of sqrt) ;; 9:14 reduce_sum %21
 *   check 9 forward epilogue buffer:4 10*B - 8:14 add %9 ;; 8:14 relu %10 ;; 8:14 matmul %8 + bias
 * </pre>
 *
 * The fields are the step's index, its pass, its kind ({@code loop}: an elementwise loop; {@code reduce}: a sum of
 * a fused chain; {@code epilogue}: a kernel with an elementwise chain run in place after it; {@code kernel};
 * {@code accumulate}), where it writes, how many elements, the chain's element count ({@code reduce} only) and the
 * ops, separated by {@code ;;}: first each fused node of the chain in order, then the op of the step as a whole (the
 * sum of a {@code reduce}, the kernel of an {@code epilogue}, the last op of a {@code loop}). A position {@code ?}
 * is unknown.
 */
final class AnomalyTable {
    record Op(int line, int column, String text) {}

    /** How a step computes, as the table spells it in lower case. */
    enum Kind { LOOP, REDUCE, EPILOGUE, KERNEL, ACCUMULATE }

    record Check(int step, boolean backward, Kind kind, ModelSpec.Location target, ModelSpec.Monomial count,
                 ModelSpec.Monomial chainCount, List<Op> ops) {
        /** The op of the step as a whole (the last one). */
        Op whole() {
            return ops.get(ops.size() - 1);
        }
    }

    final String source;
    /** By step index; null for steps not checked. */
    final Check[] checks;

    private AnomalyTable(String source, Check[] checks) {
        this.source = source;
        this.checks = checks;
    }

    static AnomalyTable parse(String text, List<String> sizes) {
        String source = null;
        List<Check> list = new ArrayList<>();
        int max = -1;
        for (String line : text.split("\n")) {
            if (line.startsWith("source ")) {
                source = line.substring("source ".length());
            } else if (line.startsWith("check ")) {
                String[] f = line.split(" ", 8);
                List<Op> ops = new ArrayList<>();
                for (String o : f[7].split(" ;; ")) {
                    int space = o.indexOf(' ');
                    String pos = o.substring(0, space);
                    int colon = pos.indexOf(':');
                    ops.add(colon < 0 ? new Op(0, 0, o.substring(space + 1))
                            : new Op(Integer.parseInt(pos.substring(0, colon)),
                                    Integer.parseInt(pos.substring(colon + 1)), o.substring(space + 1)));
                }
                Check c = new Check(Integer.parseInt(f[1]), f[2].equals("backward"),
                        Kind.valueOf(f[3].toUpperCase(java.util.Locale.ROOT)),
                        ModelSpec.Location.parse(f[4]), ModelSpec.monomial(f[5], sizes),
                        f[6].equals("-") ? null : ModelSpec.monomial(f[6], sizes), List.copyOf(ops));
                list.add(c);
                max = Math.max(max, c.step());
            } else if (!line.isEmpty()) {
                throw new IllegalArgumentException("bad anomaly table line: " + line);
            }
        }
        Check[] checks = new Check[max + 1];
        for (Check c : list) {
            checks[c.step()] = c;
        }
        return new AnomalyTable(source, checks);
    }

    AnomalyException step(Check c, Op op, double value, long index) {
        String where = (source == null ? "" : source + ":") + (op.line() > 0 ? op.line() + ":" + op.column() + ":" : "");
        String pass = c.backward() ? "backward" : "forward";
        return new AnomalyException(where + (where.isEmpty() ? "" : " ") + pass + ": " + op.text() + " produced "
                + value + " at element " + index + " (step s" + c.step() + ")",
                c.backward() ? AnomalyException.Pass.BACKWARD : AnomalyException.Pass.FORWARD, source, op.line(),
                op.column(), op.text(), null, value, index);
    }

    /** {@code input x holds NaN at element 1585 (index [2, 17])}: the flat index, and per dimension when rank > 1. */
    static AnomalyException input(String name, int[] dims, double value, long index) {
        StringBuilder at = new StringBuilder();
        long rest = index;
        for (int d = dims.length - 1; d >= 0 && dims.length > 1; d--) {
            at.insert(0, (d == 0 ? "" : ", ") + (dims[d] == 0 ? 0 : d == 0 ? rest : rest % dims[d]));
            rest = dims[d] == 0 ? 0 : rest / dims[d];
        }
        return new AnomalyException("input " + name + " holds " + value + " at element " + index
                + (dims.length > 1 ? " (index [" + at + "])" : ""),
                AnomalyException.Pass.INPUT, null, 0, 0, null, name, value, index);
    }

    static AnomalyException parameter(String name, double value, long index) {
        return new AnomalyException("parameter " + name + " holds " + value + " at element " + index,
                AnomalyException.Pass.PARAMETER, null, 0, 0, null, name, value, index);
    }

    AnomalyException update(String param, String optimizer, double value, long index) {
        return new AnomalyException("optimizer update of " + param + " (" + optimizer + ") produced " + value
                + " at element " + index, AnomalyException.Pass.UPDATE, source, 0, 0, null, param, value, index);
    }
}
