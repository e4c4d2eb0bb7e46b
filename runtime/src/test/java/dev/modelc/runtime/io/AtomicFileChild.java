package dev.modelc.runtime.io;

import java.nio.file.Path;

/**
 * A JVM that starts writing {@code args[0]} and never finishes: it prints {@code writing} once the temporary file
 * holds data, then either waits to be killed ({@code kill}) or exits normally ({@code exit}) mid-write.
 */
public final class AtomicFileChild {
    private AtomicFileChild() {}

    public static void main(String[] args) throws Exception {
        boolean exit = args[1].equals("exit");
        AtomicFile.write(Path.of(args[0]), out -> {
            out.write(new byte[1 << 17]);
            System.out.println("writing");
            System.out.flush();
            if (exit) {
                System.exit(0);
            }
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
