package dev.mobilebert.tasks;

/** Input that does not have the format a reader expects; the message names the file and the line, id or field. */
public final class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code file:line: message}, the form compilers use, so editors can jump to it. */
    public static BadInputException at(String file, long line, String message) {
        return new BadInputException(file + ":" + line + ": " + message);
    }
}
