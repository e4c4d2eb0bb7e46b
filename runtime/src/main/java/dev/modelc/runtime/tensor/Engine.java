package dev.modelc.runtime.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reverse pass behind {@link Tensor#backward} and {@link Autograd#grad}. Algorithm:
 * <ol>
 *   <li>Check each root: it must require grad; without a seed it must hold one element (the seed is then 1);
 *       a given seed must have the root's shape and dtype.</li>
 *   <li>Order the nodes reachable from the roots topologically (iterative depth-first search, reversed post-order),
 *       so that a node runs only after every node that uses its output has contributed to its gradient.</li>
 *   <li>Walk that order with a map from node to the summed gradient of its output: run each node's rule, with grad
 *       mode on only when {@code createGraph} (then the rules record the graph of the gradients themselves), and add
 *       the results into the producing nodes' entries.</li>
 *   <li>Where the gradients go: for {@code backward}, into {@code grad} of leaves that require grad and of non-leaves
 *       that asked for {@link Tensor#retainGrad()}; for {@code grad}, into the result entry of each requested tensor,
 *       and nowhere else (only the rules on a path to a requested tensor run).</li>
 *   <li>Unless {@code retainGraph}, free every node that ran (a node that threw counts as run).</li>
 * </ol>
 */
final class Engine {

    static final String NOT_SCALAR = "grad can be implicitly created only for scalar outputs";
    static final String NO_GRAD = "element 0 of tensors does not require grad and does not have a grad_fn";
    static final String UNUSED = "One of the differentiated Tensors appears to not have been used in the graph. Set"
            + " allow_unused=True if this is the desired behavior.";
    static final String INPUT_NO_GRAD = "One of the differentiated Tensors does not require grad";

    private Engine() {
    }

    static void backward(Tensor root, Tensor seed, boolean retainGraph, boolean createGraph) {
        run(new Tensor[] {root}, new Tensor[] {seed}, retainGraph, createGraph, null);
    }

    static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] seeds, boolean retainGraph, boolean createGraph,
            boolean allowUnused) {
        for (Tensor input : inputs) {
            if (!input.requiresGrad()) {
                throw new AutogradException(INPUT_NO_GRAD);
            }
        }
        Map<Tensor, Tensor> captured = new IdentityHashMap<>();
        for (Tensor input : inputs) {
            captured.put(input, null);
        }
        run(outputs, seeds, retainGraph, createGraph, captured);
        Tensor[] result = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            result[i] = captured.get(inputs[i]);
            if (result[i] == null && !allowUnused) {
                throw new AutogradException(UNUSED);
            }
        }
        return result;
    }

    /** The pass itself; {@code captured} (requested tensor to gradient) is null for backward. */
    private static void run(Tensor[] roots, Tensor[] seeds, boolean retainGraph, boolean createGraph,
            Map<Tensor, Tensor> captured) {
        if (seeds != null && seeds.length != roots.length) {
            throw new AutogradException("grad_outputs has " + seeds.length + " entries for " + roots.length
                    + " outputs");
        }
        Map<Node, Tensor> pending = new IdentityHashMap<>();
        List<Node> tops = new ArrayList<>();
        Delivery delivery = new Delivery(captured, createGraph);
        for (int i = 0; i < roots.length; i++) {
            Tensor root = roots[i];
            if (!root.requiresGrad()) {
                throw new AutogradException(NO_GRAD);
            }
            Tensor gradient = seedFor(root, seeds == null ? null : seeds[i]);
            Node top = root.gradFn();
            if (top == null) {
                delivery.toLeaf(root, gradient);
            } else {
                pending.merge(top, gradient, Tensor::add);
                tops.add(top);
            }
        }
        List<Node> order = topologicalOrder(tops);
        Set<Node> needed = captured == null ? null : leadingTo(order, captured);
        List<Node> ran = new ArrayList<>();
        boolean previous = GradMode.set(createGraph);
        try {
            for (Node node : order) {
                Tensor g = pending.remove(node);
                if (g == null) {
                    continue;
                }
                delivery.toNonLeaf(node.output, g);
                if (needed == null || needed.contains(node)) {
                    ran.add(node);
                    propagate(node, node.apply(g), pending, delivery);
                }
            }
        } finally {
            GradMode.set(previous);
            if (!retainGraph) {
                ran.forEach(Node::free);
            }
        }
    }

    /**
     * For autograd.grad: the nodes whose rule must run, those with an input that is requested or whose producer's
     * rule must run (visited producers first, so the answer for every input is known).
     */
    private static Set<Node> leadingTo(List<Node> order, Map<Tensor, Tensor> captured) {
        Set<Node> needed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = order.size() - 1; i >= 0; i--) {
            Node node = order.get(i);
            for (Tensor input : node.inputArray()) {
                if (input != null && (captured.containsKey(input) || needed.contains(input.gradFn()))) {
                    needed.add(node);
                    break;
                }
            }
        }
        return needed;
    }

    /** Where a gradient that reached a tensor goes: its {@code grad} (backward) or the result (autograd.grad). */
    private record Delivery(Map<Tensor, Tensor> captured, boolean createGraph) {
        void toLeaf(Tensor leaf, Tensor g) {
            if (captured == null) {
                leaf.accumulateGrad(g, createGraph);
            } else if (captured.containsKey(leaf)) {
                captured.merge(leaf, g, Tensor::add);
            }
        }

        void toNonLeaf(Tensor t, Tensor g) {
            if (t == null) {
                return;
            }
            if (captured == null) {
                if (t.retainsGrad()) {
                    t.accumulateGrad(g, createGraph);
                }
            } else if (captured.containsKey(t)) {
                captured.put(t, g);
            }
        }
    }

    private static Tensor seedFor(Tensor root, Tensor seed) {
        if (seed == null) {
            if (root.numel() != 1) {
                throw new AutogradException(NOT_SCALAR);
            }
            return Tensor.full(1.0, root.dtype(), root.shape());
        }
        if (!Arrays.equals(seed.shape(), root.shape())) {
            throw new AutogradException("Mismatch in shape: grad_output[0] has a shape of "
                    + Arrays.toString(seed.shape()) + " and output[0] has a shape of " + Arrays.toString(root.shape())
                    + ".");
        }
        if (seed.dtype() != root.dtype()) {
            throw new AutogradException("Mismatch in dtype: grad_output[0] is " + seed.dtype() + " and output[0] is "
                    + root.dtype() + ".");
        }
        return seed;
    }

    private static void propagate(Node node, Tensor[] grads, Map<Node, Tensor> pending, Delivery delivery) {
        Tensor[] inputs = node.inputArray();
        for (int i = 0; i < inputs.length; i++) {
            Tensor input = inputs[i];
            Tensor g = grads[i];
            if (input == null || g == null || !input.requiresGrad()) {
                continue;
            }
            if (!Arrays.equals(g.shape(), input.shape()) || g.dtype() != input.dtype()) {
                throw new IllegalStateException(node.name() + " returned a " + g.dtype() + Arrays.toString(g.shape())
                        + " gradient for input " + i + " of type " + input.dtype() + Arrays.toString(input.shape()));
            }
            Node producer = input.gradFn();
            if (producer == null) {
                delivery.toLeaf(input, g);
            } else {
                pending.merge(producer, g, Tensor::add);
            }
        }
    }

    /** Nodes reachable from {@code top}, each before the nodes that produce its inputs. */
    static List<Node> topologicalOrder(Node top) {
        return topologicalOrder(List.of(top));
    }

    /** Nodes reachable from any of {@code tops}, each before the nodes that produce its inputs. */
    static List<Node> topologicalOrder(List<Node> tops) {
        List<Node> postOrder = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        for (Node top : tops) {
            if (!seen.add(top)) {
                continue;
            }
            stack.push(new Object[] {top, 0});
            while (!stack.isEmpty()) {
                Object[] frame = stack.peek();
                Node node = (Node) frame[0];
                int next = (Integer) frame[1];
                Tensor[] inputs = node.inputArray();
                if (next < inputs.length) {
                    frame[1] = next + 1;
                    Tensor input = inputs[next];
                    Node child = input == null ? null : input.gradFn();
                    if (child != null && seen.add(child)) {
                        stack.push(new Object[] {child, 0});
                    }
                } else {
                    stack.pop();
                    postOrder.add(node);
                }
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }
}
