package dev.hallmark;

/**
 * What an app shows for a result (spec §8, HM-RESULT-5 and HM-RESULT-8): the C library's
 * hallmark_ui, with the same values, given for every {@link Result} by {@link Result#uiClass()}
 * from the C library itself. Only {@link #CHECKMARK} shows the checkmark, and only
 * {@link Result#VERIFIED} has it.
 */
public enum UiClass {
    /** no checkmark and no warning: the message looks like any unverified message */
    NEUTRAL(0, "neutral"),
    /** the verified checkmark, with the brand name and logo from the verified result */
    CHECKMARK(1, "checkmark"),
    /** no checkmark; warn that the message claims a verified sender but failed verification;
     * never the brand's name, logo or colours */
    WARNING(2, "warning"),
    /** a programming or resource error; for a message, show the neutral UI */
    API_ERROR(3, "api-error"),
    /** not a message verdict: a call's success, a bundle load's result, an operator code */
    NONE(4, "none"),
    /** "signed by" and the verified domain only: no checkmark, no name, no logo, no colours
     * ({@link Result#VERIFIED_DOMAIN}: a brand at level basic, spec HM-RESULT-40) */
    DOMAIN(5, "domain");

    private final int value;
    private final String specName;

    UiClass(int value, String specName) {
        this.value = value;
        this.specName = specName;
    }

    /** The C library's value (hallmark_ui). */
    public int value() {
        return value;
    }

    /** The name spec §8 and hallmark-verify --json use: "checkmark", "api-error", ... */
    public String specName() {
        return specName;
    }

    /** The class with this C value; {@link #NEUTRAL} for a value it does not know (HM-RESULT-3). */
    static UiClass of(int value) {
        for (UiClass u : values()) {
            if (u.value == value) {
                return u;
            }
        }
        return NEUTRAL;
    }
}
