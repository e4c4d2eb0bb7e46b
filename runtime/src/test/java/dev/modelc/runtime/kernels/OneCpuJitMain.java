package dev.modelc.runtime.kernels;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/**
 * Child JVM of {@link OneCpuJitTest}: the first training step's call, twice, then small products until C2 has
 * compiled the kernel's methods, then what the call did and the compiler directives the JVM holds.
 */
public final class OneCpuJitMain {
    private OneCpuJitMain() {
    }

    public static void main(String[] args) throws Exception {
        OneCpuJit.beforeTraining();
        OneCpuJit.beforeTraining();
        Workspace ws = new Workspace();
        float[] a = new float[16 * 16];
        float[] b = new float[16 * 16];
        float[] c = new float[16 * 16];
        java.util.Arrays.fill(a, 1);
        java.util.Arrays.fill(b, 2);
        for (int i = 0; i < 50_000; i++) {
            MatMul.gemm(ws, false, false, 16, 16, 16, a, 0, b, 0, c, 0, false);
        }
        System.out.println("processors=" + Runtime.getRuntime().availableProcessors());
        System.out.println("c=" + c[0]);
        System.out.println("outcome=" + OneCpuJit.outcome());
        System.out.println(ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesPrint",
                new Object[] {new String[0]}, new String[] {String[].class.getName()}));
    }
}
