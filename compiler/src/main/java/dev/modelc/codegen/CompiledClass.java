package dev.modelc.codegen;

import dev.modelc.runtime.api.CompiledModel;
import dev.modelc.runtime.api.Model;
import dev.modelc.sched.Schedule;

/**
 * A generated model class: its binary name, its bytes and the schedule it was emitted from.
 *
 * @param className the binary name ({@code demo.LinReg})
 * @param bytecode the class file
 * @param schedule the schedule (printed by {@code --emit schedule})
 */
public record CompiledClass(String className, byte[] bytecode, Schedule schedule) {

  /** Defines the class in a new class loader whose parent holds the runtime jar (see {@link #define}). */
  public Class<? extends Model> load() {
    return define(className.substring(className.lastIndexOf('.') + 1), className, bytecode);
  }

  /**
   * Defines, links and initializes a generated class in a new class loader whose parent holds the runtime jar. A
   * class the JVM rejects (it does not verify, breaks a class-file limit, fails its static initializer) throws
   * {@link InvalidClassException} naming the model, here rather than at its first use.
   */
  public static Class<? extends Model> define(String modelName, String className, byte[] bytecode) {
    ClassLoader loader = new ClassLoader(CompiledModel.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (!name.equals(className)) throw new ClassNotFoundException(name);
        return defineClass(name, bytecode, 0, bytecode.length);
      }
    };
    try {
      return Class.forName(className, true, loader).asSubclass(Model.class);
    } catch (LinkageError e) {
      throw new InvalidClassException(modelName, className, e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A new instance of the class, loaded as by {@link #load()}, made by its no-argument constructor: parameters
   * initialized from seed 0 (zeros for a class compiled without initializers).
   */
  public Model newInstance() {
    try {
      return load().getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + className, e);
    }
  }

  /** A new instance with every parameter zero (the class's {@code uninitialized()}), for loading weights. */
  public Model newUninitialized() {
    try {
      return (Model) load().getMethod("uninitialized").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate " + className, e);
    }
  }
}
