package dev.modelc.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every method of {@link Model} is implemented once, in {@link CompiledModel}, and final there: a generated class
 * supplies only its passes and typed methods, so a method added to the interface cannot be forgotten by the code
 * generator or overridden by a typed method of the same name.
 */
class ModelCoverageTest {
    @Test
    void compiledModelImplementsEveryMethodOfModelFinally() throws Exception {
        for (Method m : Model.class.getMethods()) {
            Method impl = CompiledModel.class.getMethod(m.getName(), m.getParameterTypes());
            assertEquals(CompiledModel.class, impl.getDeclaringClass(), m.toString());
            assertFalse(Modifier.isAbstract(impl.getModifiers()), m + " is abstract");
            assertTrue(Modifier.isFinal(impl.getModifiers()), m + " is not final");
        }
    }

    @Test
    void trainingStateMethodsArePartOfTheInterface() {
        List<String> names = Arrays.stream(Model.class.getMethods()).map(Method::getName).toList();
        for (String name : List.of("hyperparameterNames", "hyperparameter", "setHyperparameter", "learningRate",
                "setLearningRate", "optimizerState", "stepCount", "setStepCount", "flatParameterSize",
                "readParameters", "writeParameters", "readGradients", "writeGradients", "flatOptimizerStateSize",
                "readOptimizerState", "writeOptimizerState")) {
            assertTrue(names.contains(name), name);
        }
    }
}
