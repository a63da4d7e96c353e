#!/usr/bin/env bash
# The Swift/iOS module map (verifier/bindings/swift) really is a module: clang imports it with
# modules enabled and compiles a call to the API through it. Swift itself is not on the build
# machines, so Example.swift is documentation; skipped (and counted) without clang.
set -eu
build=${HALLMARK_BUILD:-build}
command -v clang >/dev/null 2>&1 || { echo "swift-module: 0 passed, 0 failed, 1 skipped"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/use.c" <<'C'
#pragma clang module import Hallmark
int use(void);
int use(void) { return hallmark_result_name(HALLMARK_VERIFIED)[9] == 'V'; }
/* What Example.swift calls besides: the UI class and the length-taking verify ([HM-ID-7]). */
int use_ui(hallmark_verifier *v, hallmark_message *m, hallmark_verification *out);
int use_ui(hallmark_verifier *v, hallmark_message *m, hallmark_verification *out) {
    hallmark_ui ui = hallmark_ui_class(hallmark_verify_sized(v, m, 3, 8, 13, 0, out));
    return ui == HALLMARK_UI_CHECKMARK && hallmark_ui_class_name(ui)[0] == 'c';
}
/* And the token directory's calls (spec 9.6) with their constants. */
int use_directory(hallmark_verifier *v, hallmark_message *m, const char *const *tokens,
                  hallmark_verification *out);
int use_directory(hallmark_verifier *v, hallmark_message *m, const char *const *tokens,
                  hallmark_verification *out) {
    char key[HALLMARK_LOOKUP_KEY_LEN + 1];
    return hallmark_token_lookup_key(m, key, sizeof key) == HALLMARK_OK &&
           hallmark_verify_fetched(v, m, tokens, HALLMARK_FETCHED_TOKENS_MAX, 0, out) ==
               HALLMARK_VERIFIED;
}
/* The load with the persisted trust state (spec 6.8), as Example.swift calls it. */
int use_load(hallmark_verifier **v, const char *const *roots, const unsigned char *b, size_t n);
int use_load(hallmark_verifier **v, const char *const *roots, const unsigned char *b, size_t n) {
    unsigned char next[HALLMARK_TRUST_STATE_MAX];
    size_t len = 0;
    return hallmark_verifier_create(v, "Hallmark Demo", roots, 3, 2) == HALLMARK_OK &&
           hallmark_verifier_load(*v, b, n, NULL, 0, 0, next, hallmark_trust_state_max(), &len,
                                  NULL) == HALLMARK_BUNDLE_ROOT_FORKED;
}
/* The status object and the re-check of stored verdicts (spec 6.9, 7.5), as Example.swift's
 * loadStatusAndRecheck calls them. */
int use_status(hallmark_verifier *v, const unsigned char *s, size_t n);
int use_status(hallmark_verifier *v, const unsigned char *s, size_t n) {
    unsigned char next[HALLMARK_TRUST_STATE_MAX];
    size_t len = 0;
    return hallmark_verifier_load_status(v, s, n, NULL, 0, 0, next, sizeof next, &len, NULL) ==
               HALLMARK_STATUS_OTHER_BUNDLE &&
           hallmark_ui_class(hallmark_verdict_still_valid(v, "acme-bank", "kid", 0, 0)) ==
               hallmark_ui_class(HALLMARK_STATUS_STALE);
}
/* Two times ([HM-VERIFY-60]), as Example.swift's verifyMessage calls them. */
int use_two_times(hallmark_verifier *v, hallmark_message *m, hallmark_verification *out);
int use_two_times(hallmark_verifier *v, hallmark_message *m, hallmark_verification *out) {
    return hallmark_verify_sized_at(v, m, 3, 8, 13, 1795597200, 1795600000, out) ==
           HALLMARK_CLOCK_BEHIND;
}
/* The logos fetched at load ([HM-CRED-78]), as Example.swift's syncLogos calls them. */
int use_logos(hallmark_verifier *v, const unsigned char *png, size_t n);
int use_logos(hallmark_verifier *v, const unsigned char *png, size_t n) {
    hallmark_logo_ref refs[4];
    size_t count = 0;
    return hallmark_verifier_logos(v, refs, 4, &count) == HALLMARK_OK && count > 0 &&
           refs[0].sha256_b64[42] != '\0' &&
           hallmark_logo_ref_check(&refs[0], png, n) == HALLMARK_LOGO_MISMATCH;
}
/* The class on the message's channel and the displayed fields, as Example.swift uses them
 * ([HM-RESULT-44], [HM-VERIFY-48], [HM-VERIFY-49]). */
int use_displayed(hallmark_verifier *v, hallmark_message *m, hallmark_verification *out);
int use_displayed(hallmark_verifier *v, hallmark_message *m, hallmark_verification *out) {
    m->subject = "Your statement is ready";
    m->subject_len = 23;
    m->reply_to = NULL;
    m->reply_to_len = 0;
    return hallmark_verify_sized(v, m, 5, 12, 15, 0, out) == HALLMARK_SUBJECT_MODIFIED &&
           out->ui == hallmark_ui_class_on(HALLMARK_SUBJECT_MODIFIED, "email") &&
           (out->signed_fields & HALLMARK_SIGNED_SUBJECT) == 0 && out->reply_to[0] == '\0';
}
/* The replay pair and the delivery age, as Example.swift's uiClassOfArrival uses them
 * ([HM-VERIFY-64], [HM-VERIFY-65]). */
int use_replay_pair(const hallmark_verification *out);
int use_replay_pair(const hallmark_verification *out) {
    return out->brand_id[0] != '\0' && out->token_id[0] != '\0' && out->expires_at > 0 &&
           hallmark_ui_class(HALLMARK_DELIVERY_TOO_LATE) == HALLMARK_UI_NEUTRAL;
}
/* A basic brand's pass: "signed by" out->signed_domain only ([HM-RESULT-40]). */
int use_domain(const hallmark_verification *out);
int use_domain(const hallmark_verification *out) {
    return hallmark_ui_class(out->code) == HALLMARK_UI_DOMAIN && out->signed_domain[0] != '\0' &&
           out->code == HALLMARK_VERIFIED_DOMAIN;
}
/* A message its always-signing sender sent without a token: a warning with no brand
 * ([HM-RESULT-41]). */
int use_always_signed(const hallmark_verification *out);
int use_always_signed(const hallmark_verification *out) {
    return out->code == HALLMARK_SENDER_ALWAYS_SIGNED &&
           hallmark_ui_class(out->code) == HALLMARK_UI_WARNING && out->brand_id[0] == '\0';
}
C
if clang -x c -fmodules -fmodules-cache-path="$work/cache" -Iverifier/bindings/swift \
    -Werror -c "$work/use.c" -o "$work/use.o" 2>"$work/err"; then
    echo "swift-module: 1 passed, 0 failed"
else
    cat "$work/err"
    echo "swift-module: 0 passed, 1 failed"
    exit 1
fi
