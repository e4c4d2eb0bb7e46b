package dev.modelc.runtime.kernels;

/** A team's task objects, one per kind of call. */
final class Tasks {
    final GemmTask gemm = new GemmTask();
    final ConvTask conv = new ConvTask();
    final PoolTask pool = new PoolTask();
    final UpdateTask update = new UpdateTask();
    final MaskTask mask = new MaskTask();
    final ReduceTask reduce = new ReduceTask();
    final RangeTask range;

    Tasks(int threads) {
        range = new RangeTask(threads);
    }
}
