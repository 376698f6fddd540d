package org.ccpresence.error;

/** The input checks every feature shares, each refusing with a BAD_USER_INPUT that names the field to fix. */
public final class Inputs {

    private Inputs() {
    }

    /** The value stripped of surrounding blanks, if it is then min–max characters long (null counts as empty). */
    public static String text(String field, String value, int min, int max) {
        String stripped = value == null ? "" : value.strip();
        int length = stripped.codePointCount(0, stripped.length());
        if (length < min || length > max) {
            throw ApiException.badInput(field + " must be " + min + "–" + max + " characters after trimming (got " + length + ").");
        }
        return stripped;
    }

    /** The page size asked for with {@code first}, or the default; 1–max. */
    public static int first(Integer first, int defaultSize, int max, String hint) {
        int size = first == null ? defaultSize : first;
        if (size < 1 || size > max) {
            throw ApiException.badInput("first must be 1–" + max + " (got " + size + ")" + hint + ".");
        }
        return size;
    }

    /** The value given, or the fallback when it was left out (the default on create, the current value on update); min–max. */
    public static int number(String field, Integer value, int fallback, int min, int max) {
        int n = value == null ? fallback : value;
        if (n < min || n > max) {
            throw ApiException.badInput(field + " must be " + min + "–" + max + " (got " + n + ").");
        }
        return n;
    }

    /**
     * The refusal of a write made against a version that is no longer current, or null when it is current or none was
     * given ({@code expected} null). The message names the current version and, in {@code now}, what the record is now,
     * so that the caller can decide again.
     */
    public static ApiException staleVersion(String what, int current, Integer expected, String now) {
        if (expected == null || expected == current) {
            return null;
        }
        return ApiException.conflict(what + " is at version " + current + now + "; you sent expectedVersion " + expected
                + ". Someone changed it since you read it: read it again and retry with version " + current + ".");
    }

    /** Throws {@link #staleVersion}'s refusal, if any. */
    public static void expectVersion(String what, int current, Integer expected, String now) {
        ApiException stale = staleVersion(what, current, expected, now);
        if (stale != null) {
            throw stale;
        }
    }
}
