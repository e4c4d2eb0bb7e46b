package dev.modelc.fuzz;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Models {@link DifferentialFuzzer} found disagreeing (or failing to compile), minimized; each must now agree with
 * the reference interpreter, finite differences and itself on two threads.
 */
class DifferentialRegressionTest {
  private static void agrees(String source) {
    DifferentialFuzzer.Finding f = DifferentialFuzzer.check(source, Map.of(), 1);
    assertNull(f, () -> f.toString());
  }

  /**
   * The gradient of p is a sum over dims 0 and 1 of the mask of minimum(x, p) times the upstream gradient
   * broadcast over dim 1 (three runs). The fusion plan kept that broadcast inline in the sum because an earlier
   * broadcast of the chain, of two runs, had the same loop split; the emitter then refused it ("a broadcast of more
   * than two runs in sum").
   */
  @Test
  void sumWithABroadcastOfThreeRunsAfterOneOfTwo() {
    agrees("""
        model M {
          input x : f32[B, 3, 4, 5]
          param p : f32[4, 5] init uniform(0.5, 1.5)
          let loss = sum(sum(minimum(x, p), dim = 1) ** 2)
          minimize loss with sgd(lr = 0.01)
        }
        """);
  }

  /**
   * g = grad(sum(v * v), x) is 2 v, a function of v, so grad(sum(g * g), v) is 8 v. The reference interpreter took
   * the first gradient from a fresh leaf for the input x and values evaluated again from it, so g depended on a copy
   * of v and the second gradient was zero (and the loss read no param); the compiled class gave 8 v.
   */
  @Test
  void gradientWithRespectToAValueAGradientOfAnInputReads() {
    agrees("""
        model M {
          input x : f32[B, 3]
          param p : f32[3] init normal(0, 0.5)
          let v = x + p
          let g = grad(sum(v * v), x)
          let h = grad(sum(g * g), v)
          let loss = mean(tanh(h))
          output g, h
          minimize loss with sgd(lr = 0.01)
        }
        """);
  }

  /**
   * reshape(x, [B, 4]) of an f32[B, 4] is x itself in the graph builder, so the gradient with respect to v followed
   * every use of x, the bce target sigmoid(x * 0.5) included; PyTorch's reshape is a new tensor, whose gradient
   * follows v's uses only (the interpreter's answer). The let now gets a node of its own when a grad names it.
   */
  @Test
  void gradientWithRespectToALetThatReshapesToTheSameShape() {
    agrees("""
        model M {
          input x : f32[B, 4]
          param w : f32[1, 4] init uniform(0.5, 1.5)
          let v = reshape(x, [B, 4])
          let g = grad(bce(sigmoid(v), sigmoid(x * 0.5)), v)
          let loss = mean(linear(g, w) ** 2)
          output g
          minimize loss with sgd(lr = 0.1)
        }
        """);
  }

  /**
   * `let v = x` names the input x itself (in PyTorch, the same tensor), so grad(..., v) is the gradient with respect
   * to x, through sin(x * w) too, as the compiled class computes it. The interpreter stood a fresh leaf for v, which
   * only v * v reads. This comparison did not catch that once the fuzzer had minimized it;
   * InterpreterTest.aGradientWithRespectToALetThatNamesAnInputIsTheInputs does, against the closed form.
   */
  @Test
  void gradientWithRespectToALetThatNamesAnInput() {
    agrees("""
        model M {
          input x : f32[B, 3]
          param w : f32[3] init uniform(0.5, 1.5)
          let v = x
          let g = grad(sum(sin(x * w) + v * v), v)
          let loss = mean(g * w)
          output g
          minimize loss with sgd(lr = 0.1)
        }
        """);
  }
}
