package dev.modelc.runtime.kernels;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/**
 * Child JVM of {@link OneCpuJitTest}: the first training step's call, twice, then what it did and the compiler
 * directives the JVM holds.
 */
public final class OneCpuJitMain {
    private OneCpuJitMain() {
    }

    public static void main(String[] args) throws Exception {
        OneCpuJit.beforeTraining();
        OneCpuJit.beforeTraining();
        System.out.println("processors=" + Runtime.getRuntime().availableProcessors());
        System.out.println("outcome=" + OneCpuJit.outcome());
        System.out.println(ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesPrint",
                new Object[] {new String[0]}, new String[] {String[].class.getName()}));
    }
}
