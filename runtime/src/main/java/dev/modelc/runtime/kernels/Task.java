package dev.modelc.runtime.kernels;

/** One split call: part {@code i} of it, run with the workspace of the thread that runs it. */
abstract class Task {
    abstract void part(Workspace ws, int part);
}
