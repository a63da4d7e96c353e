package dev.hallmark;

/** A signed action button of a verified message; its URL is https inside the brand's domains. */
public final class Action {
    /** What the button does. */
    public enum Kind { UNKNOWN, LINK, REPLY, CALL, UNSUBSCRIBE, PREFERENCES }

    private final Kind kind;
    private final String label;
    private final String url;

    Action(Kind kind, String label, String url) {
        this.kind = kind;
        this.label = label;
        this.url = url;
    }

    public Kind kind() {
        return kind;
    }

    public String label() {
        return label;
    }

    public String url() {
        return url;
    }
}
