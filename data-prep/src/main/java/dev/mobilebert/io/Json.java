package dev.mobilebert.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The project's one Jackson configuration: pretty, stable output for configs and reports; compact for metrics. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .findAndRegisterModules()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** Single-line writer for JSON-lines files. */
    public static final ObjectMapper COMPACT = new ObjectMapper()
            .findAndRegisterModules()
            .disable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}
}
