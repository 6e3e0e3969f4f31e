package dev.mobilebert.jobs.doctor;

/** One line of the doctor's report: what was checked, what was found, and what to do if it is not OK. */
public record Check(String section, String name, Status status, String found, String hint) {
    public enum Status { OK, INFO, WARN, FAIL }

    public static Check ok(String section, String name, String found) {
        return new Check(section, name, Status.OK, found, "");
    }

    public static Check info(String section, String name, String found) {
        return new Check(section, name, Status.INFO, found, "");
    }

    public static Check warn(String section, String name, String found, String hint) {
        return new Check(section, name, Status.WARN, found, hint);
    }

    public static Check fail(String section, String name, String found, String hint) {
        return new Check(section, name, Status.FAIL, found, hint);
    }
}
