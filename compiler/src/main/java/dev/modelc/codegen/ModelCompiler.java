package dev.modelc.codegen;

import dev.modelc.ir.Graph;
import dev.modelc.sched.Schedule;
import dev.modelc.sched.Scheduler;

/**
 * The back end's entry point: an optimized graph (forward, adjoint and results, as {@code dev.modelc.opt.Pipeline}
 * leaves it) becomes one model class.
 *
 * <pre>
 *   CompiledClass c = ModelCompiler.compile(graph, OptimizerSettings.sgd(0.01), CompileOptions.of("demo", "lr.mdl"));
 *   c.bytecode();                // the .class file
 *   c.schedule().print();        // --emit schedule
 *   Model m = c.newInstance();   // loaded in a fresh class loader
 * </pre>
 */
public final class ModelCompiler {
  private ModelCompiler() {}

  public static CompiledClass compile(Graph graph, OptimizerSettings optimizer, CompileOptions options) {
    Schedule schedule = Scheduler.schedule(graph);
    ClassEmitter emitter = new ClassEmitter(schedule, optimizer, options);
    byte[] bytes = emitter.emit();
    return new CompiledClass(emitter.internalName().replace('/', '.'), bytes, schedule);
  }
}
