package dev.hallmark;

/**
 * A programming or configuration error (a bad pinned root, a closed verifier, out of memory).
 * A message that fails verification is never an exception: it is a {@link Verification} result.
 */
public final class HallmarkException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Result result;

    HallmarkException(Result result, String message) {
        super(message + " (" + result.cName() + ")");
        this.result = result;
    }

    public Result result() {
        return result;
    }
}
