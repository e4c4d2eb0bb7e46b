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
 * The reverse pass behind {@link Tensor#backward}. Algorithm:
 * <ol>
 *   <li>Check the root: it must require grad; without a seed it must hold one element (the seed is then 1);
 *       a given seed must have the root's shape and dtype.</li>
 *   <li>Order the nodes reachable from the root topologically (iterative depth-first search, reversed post-order),
 *       so that a node runs only after every node that uses its output has contributed to its gradient.</li>
 *   <li>Walk that order with a map from node to the summed gradient of its output: run each node's rule (with grad
 *       mode off), add the results into the producing nodes' entries, and accumulate into {@code grad} of leaves
 *       that require grad and of non-leaves that asked for {@link Tensor#retainGrad()}.</li>
 *   <li>Unless {@code retainGraph}, free every node that ran.</li>
 * </ol>
 */
final class Engine {

    static final String NOT_SCALAR = "grad can be implicitly created only for scalar outputs";
    static final String NO_GRAD = "element 0 of tensors does not require grad and does not have a grad_fn";

    private Engine() {
    }

    static void backward(Tensor root, Tensor seed, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new AutogradException(NO_GRAD);
        }
        Tensor gradient = seedFor(root, seed);
        Node top = root.gradFn();
        if (top == null) {
            root.accumulateGrad(gradient);
            return;
        }
        List<Node> order = topologicalOrder(top);
        Map<Node, Tensor> pending = new IdentityHashMap<>();
        pending.put(top, gradient);
        boolean previous = GradMode.set(false);
        try {
            for (Node node : order) {
                Tensor g = pending.remove(node);
                if (g == null) {
                    continue;
                }
                if (node.output != null && node.output.retainsGrad()) {
                    node.output.accumulateGrad(g);
                }
                propagate(node, node.apply(g), pending);
            }
        } finally {
            GradMode.set(previous);
            if (!retainGraph) {
                order.forEach(Node::free);
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

    private static void propagate(Node node, Tensor[] grads, Map<Node, Tensor> pending) {
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
                input.accumulateGrad(g);
            } else {
                pending.merge(producer, g, Tensor::add);
            }
        }
    }

    /** Nodes reachable from {@code top}, each before the nodes that produce its inputs. */
    static List<Node> topologicalOrder(Node top) {
        List<Node> postOrder = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        seen.add(top);
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
        Collections.reverse(postOrder);
        return postOrder;
    }
}
