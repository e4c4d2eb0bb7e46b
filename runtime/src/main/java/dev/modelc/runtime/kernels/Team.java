package dev.modelc.runtime.kernels;

import java.util.concurrent.locks.LockSupport;

/**
 * The worker threads of one model instance: {@code threads - 1} persistent daemon threads, each with its own
 * {@link Workspace}; the thread that calls a kernel is the team's first member and does part 0 itself.
 *
 * <p>{@link Parallel} splits a kernel call into parts and hands them over with {@link #run}: the caller posts the
 * task to each worker (a sequence number in a volatile field, no allocation), runs its own part, then waits for the
 * workers' parts to finish. A worker that has nothing to do spins for {@link #SPIN_NANOS} (the next split kernel or
 * loop of a step usually follows within microseconds), yielding its core after the first microseconds
 * ({@link #pause}), and then parks until the next task; a caller waiting for a worker does the same. The hand-off
 * orders memory: everything the caller wrote before posting is visible to the worker, everything the worker wrote
 * before finishing is visible to the caller afterwards.
 *
 * <p>Workers are daemon threads, so they never keep the JVM alive; {@link #close} stops them (generated models close
 * their team in {@code close()}, {@code setThreads(1)}, or when they are garbage collected). A team is used by one
 * calling thread at a time, like the model that owns it.
 */
public final class Team implements AutoCloseable {

    /** How long an idle worker, or a caller waiting for a worker, spins (and then yields) before it parks. */
    static final long SPIN_NANOS = 1_000_000;

    private final Worker[] workers;
    final Tasks tasks;
    private volatile boolean closed;
    private int sequence;

    /**
     * Starts {@code threads - 1} worker threads named {@code name-1}, {@code name-2}, ...
     *
     * @throws IllegalArgumentException unless {@code threads >= 2}
     */
    public Team(int threads, String name) {
        if (threads < 2) {
            throw new IllegalArgumentException("a team has at least 2 threads, got " + threads);
        }
        tasks = new Tasks(threads);
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(this, i + 1);
            Thread t = new Thread(workers[i], name + "-" + (i + 1));
            t.setDaemon(true);
            workers[i].thread = t;
        }
        int started = 0;
        try {
            for (; started < workers.length; started++) {
                workers[started].thread.start();
            }
        } catch (OutOfMemoryError | RuntimeException e) { // the process's thread limit, for one
            close();                                      // the workers already started end
            throw new IllegalStateException("could not start worker thread " + (started + 1) + " of "
                    + workers.length + " for a team of " + threads + " threads: " + e, e);
        }
    }

    /** The number of threads including the caller's. */
    public int threads() {
        return workers.length + 1;
    }

    /** Whether {@link #close} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /** The worker threads (not the caller's), for tests and tools. */
    public Thread[] workerThreads() {
        Thread[] out = new Thread[workers.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = workers[i].thread;
        }
        return out;
    }

    /**
     * How many ranges of generated loops ({@link Parallel#forRange}) the worker threads have run since the team
     * started, for tests and tools; read it between calls, from the thread that calls the kernels.
     */
    public long loopRangesOnWorkers() {
        long sum = 0;
        long[] ran = tasks.range.ran;
        for (int i = 1; i < ran.length; i++) {
            sum += ran[i];
        }
        return sum;
    }

    /** Stops the worker threads; they end as soon as they have finished a part they are running. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
    }

    /**
     * Runs {@code task.part(ws, i)} for {@code i < parts}: part 0 on the calling thread with its workspace
     * {@code ws}, the others on workers with theirs; returns when all have finished. A failure of any part is
     * rethrown here (the first part's first).
     */
    void run(Task task, Workspace ws, int parts) {
        if (closed) {
            throw new IllegalStateException("the team of worker threads has been closed");
        }
        if (parts < 1 || parts > threads()) {
            throw new IllegalArgumentException("parts must be in [1, " + threads() + "], got " + parts);
        }
        int seq = ++sequence;
        for (int i = 0; i < parts - 1; i++) {
            workers[i].post(task, seq);
        }
        Throwable failure = null;
        try {
            task.part(ws, 0);
        } catch (Throwable e) {
            failure = e;
        }
        for (int i = 0; i < parts - 1; i++) {
            Throwable f = workers[i].await(seq);
            if (failure == null) {
                failure = f;
            }
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /**
     * Work its caller splits into parts itself: {@link #part} for each part of one {@link #run(Job, int)}, with no
     * workspace (a batch-split training step runs a whole model instance in each part).
     */
    public abstract static class Job {
        public abstract void part(int part);
    }

    /** The task that runs a {@link Job}; one per team, so that a run allocates nothing. */
    private static final class JobTask extends Task {
        Job job;

        @Override
        void part(Workspace ws, int part) {
            job.part(part);
        }
    }

    private final JobTask jobTask = new JobTask();

    /**
     * Runs {@code job.part(i)} for {@code i < parts}: part {@code i} always on the same thread (part 0 on the
     * caller's, part {@code i} on worker {@code i}), so that what a part keeps between runs stays with one core;
     * returns when all have finished, rethrowing the first failure, with the hand-off's memory ordering.
     */
    public void run(Job job, int parts) {
        jobTask.job = job;
        try {
            run(jobTask, null, parts);
        } finally {
            jobTask.job = null;
        }
    }

    /** Whether a wait that began at {@code start} keeps spinning (the clock is read every 64th round only). */
    private static boolean keepSpinning(int spins, long start) {
        return (spins & 63) != 0 || System.nanoTime() - start < SPIN_NANOS;
    }

    /**
     * One round of a wait: a pause instruction for the first rounds (a hand-off within the same step arrives within
     * microseconds), then {@link Thread#yield}, so that on a machine with more runnable threads than cores the
     * spinning thread gives its core to the thread it waits for.
     */
    private static void pause(int spins) {
        if (spins < 1024) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /** One worker thread: waits for a posted task, runs its part, reports it done. */
    private static final class Worker implements Runnable {
        private final Team team;
        private final int index;
        private final Workspace workspace = new Workspace();
        Thread thread;
        private Task task;
        private Throwable failure;
        private volatile int posted;
        private volatile int done;
        private volatile boolean sleeping;
        private volatile Thread waiter;

        Worker(Team team, int index) {
            this.team = team;
            this.index = index;
        }

        /** Caller side: hands over the task (the volatile write of {@code posted} publishes it). */
        void post(Task t, int seq) {
            task = t;
            failure = null;
            posted = seq;
            if (sleeping) {
                LockSupport.unpark(thread);
            }
        }

        /** Caller side: waits until the part posted as {@code seq} has finished; returns its failure or null. */
        Throwable await(int seq) {
            if (done != seq) {
                long start = System.nanoTime();
                for (int spins = 0; done != seq && keepSpinning(spins, start); spins++) {
                    pause(spins);
                }
                if (done != seq) {
                    waiter = Thread.currentThread();
                    while (done != seq) {
                        LockSupport.park(this);
                    }
                    waiter = null;
                }
            }
            return failure;
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                int seq = next(seen);
                if (seq == seen) {
                    return;                 // closed
                }
                seen = seq;
                try {
                    task.part(workspace, index);
                } catch (Throwable e) {
                    failure = e;
                }
                task = null;
                done = seq;
                Thread w = waiter;
                if (w != null) {
                    LockSupport.unpark(w);
                }
            }
        }

        /** Waits for a task newer than {@code seen}: spins, then parks; returns {@code seen} once the team closed. */
        private int next(int seen) {
            long start = System.nanoTime();
            for (int spins = 0; posted == seen && keepSpinning(spins, start); spins++) {
                if (team.closed) {
                    return seen;
                }
                pause(spins);
            }
            while (posted == seen) {
                if (team.closed) {
                    return seen;
                }
                sleeping = true;
                if (posted == seen && !team.closed) {
                    LockSupport.park(this);
                }
                sleeping = false;
            }
            return posted;
        }
    }
}
