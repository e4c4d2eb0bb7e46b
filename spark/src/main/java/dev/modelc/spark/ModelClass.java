package dev.modelc.spark;

import dev.modelc.api.GeneratedClass;
import dev.modelc.api.Modelc;
import dev.modelc.api.Options;
import dev.modelc.api.Result;
import dev.modelc.runtime.api.CompiledModel;
import dev.modelc.runtime.api.Model;
import java.io.IOException;
import java.io.Serializable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A compiled model class that can travel to executors: its name, and either its class files (compiled on the
 * driver, defined on each JVM that needs it) or nothing (the class is on the class path of every JVM, from a jar
 * passed with {@code --jars}).
 *
 * <p>Classes from bytes are defined once per JVM, in a loader whose parent is the loader of the runtime
 * ({@link CompiledModel}), cached by class name and the SHA-256 of the class files. Instances of the generated class
 * never travel: tasks make their own from this description.
 */
public final class ModelClass implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Class<?>> DEFINED = new ConcurrentHashMap<>();

    private final String className;
    private final Map<String, byte[]> classFiles;
    private final String hash;

    private ModelClass(String className, Map<String, byte[]> classFiles) {
        this.className = Objects.requireNonNull(className, "className");
        this.classFiles = classFiles;
        this.hash = classFiles.isEmpty() ? "" : sha256(classFiles);
    }

    /** A class from its class files, as the compiler returns them (entry names such as {@code demo/Net.class}). */
    public static ModelClass of(String className, Map<String, byte[]> classFiles) {
        if (classFiles.isEmpty()) {
            throw new IllegalArgumentException("no class files for " + className);
        }
        return new ModelClass(className, new LinkedHashMap<>(classFiles));
    }

    /** The class the compiler generated. */
    public static ModelClass of(GeneratedClass generated) {
        return of(generated.className(), Map.of(generated.entryName(), generated.bytecode()));
    }

    /** A class every JVM finds on its class path (a precompiled model jar passed with {@code --jars}). */
    public static ModelClass named(String className) {
        return new ModelClass(className, Map.of());
    }

    /**
     * Compiles a {@code .mdl} file in this JVM. {@code modelName} picks one model of the file; null takes the only
     * one (a file with several models then fails).
     */
    public static ModelClass compile(Path mdl, String modelName) throws IOException {
        Result r = Modelc.compile(mdl, Options.defaults());
        if (!r.ok()) {
            throw new IllegalArgumentException(r.text());
        }
        return pick(r.classes(), modelName, mdl.toString());
    }

    /** Compiles model source text in this JVM. */
    public static ModelClass compileSource(String name, String text, String modelName) {
        Result r = Modelc.compileSource(name, text, Options.defaults());
        if (!r.ok()) {
            throw new IllegalArgumentException(r.text());
        }
        return pick(r.classes(), modelName, name);
    }

    private static ModelClass pick(List<GeneratedClass> classes, String modelName, String source) {
        if (modelName == null) {
            if (classes.size() != 1) {
                throw new IllegalArgumentException(source + " has " + classes.size()
                        + " models; name the one to train (" + classes.stream().map(GeneratedClass::modelName).toList() + ")");
            }
            return of(classes.get(0));
        }
        for (GeneratedClass c : classes) {
            if (c.modelName().equals(modelName) || c.className().equals(modelName)) {
                return of(c);
            }
        }
        throw new IllegalArgumentException(source + " has no model " + modelName + " ("
                + classes.stream().map(GeneratedClass::modelName).toList() + ")");
    }

    public String className() {
        return className;
    }

    /** The class files carried (empty for {@link #named}). */
    public Map<String, byte[]> classFiles() {
        return classFiles;
    }

    /** Bytes of class files carried. */
    public long byteSize() {
        long n = 0;
        for (byte[] b : classFiles.values()) {
            n += b.length;
        }
        return n;
    }

    /** The class in this JVM: defined from the carried bytes once per JVM, or looked up by name. */
    public Class<?> load() {
        if (classFiles.isEmpty()) {
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            try {
                return Class.forName(className, true, cl != null ? cl : ModelClass.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("model class " + className + " is not on the class path of this JVM;"
                        + " pass its jar with --jars, or ship it as class files (ModelClass.of/compile)", e);
            }
        }
        return DEFINED.computeIfAbsent(className + "@" + hash, k -> new Loader(classFiles).define(className));
    }

    /** A new instance with zero parameters (its state is always written before use). */
    public Model newInstance() {
        Class<?> c = load();
        try {
            Method m = c.getMethod("uninitialized");
            if (Modifier.isStatic(m.getModifiers()) && Model.class.isAssignableFrom(m.getReturnType())) {
                return (Model) m.invoke(null);
            }
        } catch (NoSuchMethodException e) {
            // a class without the factory: its no-argument constructor
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + className, e);
        }
        try {
            return (Model) c.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + className, e);
        }
    }

    /** A new instance initialized from {@code seed} with the model's initializers. */
    public Model newInstance(long seed) {
        Model m = newInstance();
        m.initialize(seed);
        return m;
    }

    @Override
    public String toString() {
        return className + (classFiles.isEmpty() ? " (class path)" : " (" + byteSize() + " bytes, " + hash.substring(0, 12) + ")");
    }

    private static String sha256(Map<String, byte[]> files) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                d.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                d.update((byte) 0);
                d.update(e.getValue());
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Loader extends ClassLoader {
        static {
            registerAsParallelCapable();
        }

        private final Map<String, byte[]> byName = new ConcurrentHashMap<>();

        Loader(Map<String, byte[]> files) {
            super("modelc-models", CompiledModel.class.getClassLoader());
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                String entry = e.getKey();
                String name = (entry.endsWith(".class") ? entry.substring(0, entry.length() - 6) : entry).replace('/', '.');
                byName.put(name, e.getValue());
            }
        }

        Class<?> define(String name) {
            try {
                return loadClass(name);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("class files carried do not define " + name, e);
            }
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = byName.get(name);
            if (b == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, b, 0, b.length);
        }
    }
}
