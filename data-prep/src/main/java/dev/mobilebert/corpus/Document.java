package dev.mobilebert.corpus;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;
import java.util.List;

/**
 * One document of a corpus as sentences of text. {@code source} is the file it came from and {@code ordinal} its
 * position there (0-based), which together order a corpus deterministically; {@code firstLine} is for messages.
 */
@DefaultSerializer(JavaSerializer.class) // Kryo 4 cannot serialize records
public record Document(String source, int ordinal, long firstLine, List<String> sentences) implements Serializable {
    public String where() {
        return source + ":" + firstLine;
    }
}
