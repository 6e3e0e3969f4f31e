package dev.mobilebert.jobs.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.spark.serializer.KryoRegistrator;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;

/**
 * Spark's Kryo 4 cannot serialize Java records ("can't get field offset on a record class"): every record
 * (any subclass of {@link Record}) falls back to Java serialization. Used beside ND4J's own registrator:
 * {@code spark.kryo.registrator=org.nd4j.kryo.Nd4jRegistrator,dev.mobilebert.jobs.spark.RecordsKryoRegistrator}.
 */
public final class RecordsKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.addDefaultSerializer(Record.class, RecordSerializer.class);
    }

    /**
     * Java serialization that finds classes of the application jar: under spark-submit the driver's task-result
     * threads hand Kryo a class loader that does not see the app jar (Kryo's own JavaSerializer then fails with
     * ClassNotFoundException), while this class was loaded from the app jar and its loader does.
     */
    public static final class RecordSerializer extends Serializer<Record> {
        @Override
        public void write(Kryo kryo, Output output, Record object) {
            try {
                ObjectOutputStream out = new ObjectOutputStream(output);
                out.writeObject(object);
                out.flush();
            } catch (IOException e) {
                throw new KryoException("Java serialization of " + object.getClass().getName() + " failed", e);
            }
        }

        @Override
        public Record read(Kryo kryo, Input input, Class<Record> type) {
            try {
                return (Record) new AppObjectInputStream(input, kryo.getClassLoader()).readObject();
            } catch (IOException | ClassNotFoundException e) {
                throw new KryoException("Java deserialization of " + type.getName() + " failed", e);
            }
        }
    }

    private static final class AppObjectInputStream extends ObjectInputStream {
        private final ClassLoader[] loaders;

        AppObjectInputStream(InputStream in, ClassLoader kryoLoader) throws IOException {
            super(in);
            this.loaders = new ClassLoader[]{kryoLoader, Thread.currentThread().getContextClassLoader(),
                    RecordsKryoRegistrator.class.getClassLoader()};
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            for (ClassLoader loader : loaders) {
                if (loader == null) continue;
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException next) {
                    // try the next loader
                }
            }
            return super.resolveClass(desc);
        }
    }
}
