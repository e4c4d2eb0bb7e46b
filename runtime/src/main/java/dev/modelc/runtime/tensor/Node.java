package dev.modelc.runtime.tensor;

import java.util.Arrays;
import java.util.List;

/**
 * One recorded operation of the autograd graph (PyTorch's {@code grad_fn}): its readable name
 * ({@code "MulBackward0"}), the input tensors it differentiates into, and the rule that turns the gradient of its
 * output into gradients of its inputs. The rule is a closure over the values the forward pass saved; after a backward
 * pass without {@code retainGraph} the closure is dropped, which frees those values, and running the node again
 * fails with PyTorch's message.
 *
 * <p>{@link #record} is also the way to add an operation of one's own, like {@code torch.autograd.Function}: compute
 * the result with kernels, then record it with a rule. A rule written in tensor operations (or in operations that
 * record their own rules) is differentiable again: with {@code createGraph} the engine runs rules with recording on.
 */
public final class Node {

    /** The vector-Jacobian product of one operation: the gradient of each input, or {@code null} for "no gradient". */
    @FunctionalInterface
    public interface Rule {
        Tensor[] apply(Tensor gradOutput);
    }

    static final String FREED = "Trying to backward through the graph a second time (or directly access saved tensors"
            + " after they have already been freed). Saved intermediate values of the graph are freed when you call"
            + " .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a"
            + " second time or if you need to access saved tensors after calling backward.";

    private final String name;
    private final Tensor[] inputs;
    private Rule rule;
    Tensor output;

    private Node(String name, Tensor[] inputs, Rule rule) {
        this.name = name;
        this.inputs = inputs;
        this.rule = rule;
    }

    /**
     * Attaches a node named {@code name} to {@code output} when grad mode is on and any of {@code inputs} requires
     * grad; otherwise leaves {@code output} a plain tensor. Returns {@code output}. The rule must return one entry per
     * input (in order), each of that input's shape and dtype, or {@code null}.
     */
    public static Tensor record(String name, Tensor output, Rule rule, Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return output;
        }
        boolean any = false;
        for (Tensor input : inputs) {
            any |= input != null && input.requiresGrad();
        }
        if (!any) {
            return output;
        }
        Node node = new Node(name, inputs.clone(), rule);
        node.output = output;
        output.attach(node);
        return output;
    }

    /** The readable name, such as {@code "MulBackward0"}. */
    public String name() {
        return name;
    }

    /** The inputs this node passes gradients to (entries may be {@code null} or not require grad). */
    public List<Tensor> inputs() {
        return Arrays.asList(inputs);
    }

    /** True once a backward pass without {@code retainGraph} has freed the saved values. */
    public boolean isFreed() {
        return rule == null;
    }

    Tensor[] inputArray() {
        return inputs;
    }

    Tensor[] apply(Tensor gradOutput) {
        if (rule == null) {
            throw new AutogradException(FREED);
        }
        Tensor[] grads = rule.apply(gradOutput);
        if (grads.length != inputs.length) {
            throw new IllegalStateException(name + " returned " + grads.length + " gradients for " + inputs.length
                    + " inputs");
        }
        return grads;
    }

    void free() {
        rule = null;
    }

    @Override
    public String toString() {
        return "<" + name + ">";
    }
}
