// A Swift app verifying one message with the Hallmark C library (not built here: no Swift
// toolchain on the build machines; the module map is checked by tests/cli/swift_module.sh).
//
// Ids may hold U+0000 (spec [HM-ID-7]). Swift bridges a String to C as its UTF-8 bytes and a
// terminator, with any U+0000 inside left in place, so C would read "ALPHABANK\u{0}.evil" as
// "ALPHABANK". Pass the UTF-8 lengths with hallmark_verify_sized, as below: an id with U+0000
// then gets HALLMARK_SENDER_MISMATCH or HALLMARK_RECIPIENT_MISMATCH (a channel with it,
// HALLMARK_ERR_INVALID_ARGUMENT), never a checkmark. Never use strlen() on an id.
import Foundation
import Hallmark

// The trust state (spec §6.8) is opaque bytes: persist them per platform, as they are, after every
// successful load, and pass them to the next one (nil on first use only). It is what makes a
// rotation shut out a leaked key without an app release. hallmark_verifier_new and
// hallmark_verifier_load_bundle answer HALLMARK_ERR_API_REPLACED.
// An optional string as a C pointer (nil stays NULL: a field the app does not display).
func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let s = s else { return body(nil) }
    return s.withCString { body($0) }
}

// subject and replyTo: what the app displays beside the body (spec HM-VERIFY-48), the e-mail
// Subject (unfolded, decoded) or push title, and the e-mail Reply-To; nil when not displayed. The
// lengths are passed, so a U+0000 inside never matches a signed value.
func verifyMessage(bundle: [UInt8], persistedState: inout [UInt8]?, channel: String, from: String,
                   to: String, body: [UInt8], token: String, subject: String?, replyTo: String?,
                   receivedAt: Int64)
    -> hallmark_verification {
    var verifier: OpaquePointer?
    // The trust anchor pinned in the app: platform id, root set, threshold.
    let pinned = ["ROOT-KEY-1-B64URL", "ROOT-KEY-2-B64URL", "ROOT-KEY-3-B64URL"].map { strdup($0) }
    defer { pinned.forEach { free($0) } }
    var roots: [UnsafePointer<CChar>?] = pinned.map { UnsafePointer($0) }
    var out = hallmark_verification()
    guard hallmark_verifier_create(&verifier, "Hallmark Demo", &roots, roots.count, 2)
            == HALLMARK_OK else { return out }
    defer { hallmark_verifier_free(verifier) }
    var next = [UInt8](repeating: 0, count: hallmark_trust_state_max())
    var nextLen = 0
    let now = Int64(Date().timeIntervalSince1970)
    let rc: hallmark_result
    if let state = persistedState {
        rc = hallmark_verifier_load(verifier, bundle, bundle.count, state, state.count, now,
                                    &next, next.count, &nextLen, nil)
    } else {
        rc = hallmark_verifier_load(verifier, bundle, bundle.count, nil, 0, now, &next,
                                    next.count, &nextLen, nil)
    }
    guard rc == HALLMARK_OK else { return out }  // the previous bundle and state stay
    persistedState = Array(next[0..<nextLen])    // write it to storage before using the bundle
    channel.withCString { c in from.withCString { f in to.withCString { t in token.withCString { k in
        withOptionalCString(subject) { s in withOptionalCString(replyTo) { r in
            var m = hallmark_message(channel: c, from: f, to: t, body: body, body_len: body.count,
                                     token: k, token_len: token.utf8.count,
                                     subject: s, subject_len: subject?.utf8.count ?? 0,
                                     reply_to: r, reply_to_len: replyTo?.utf8.count ?? 0)
            // Two times (spec HM-VERIFY-60): receivedAt, recorded by the app's own clock when the
            // message arrived (never a timestamp the message carries), and now, the clock at
            // this call; a clock set back before the loaded data gives HALLMARK_CLOCK_BEHIND.
            _ = hallmark_verify_sized_at(verifier, &m, channel.utf8.count, from.utf8.count,
                                         to.utf8.count, receivedAt, now, &out)
        } }
    } } } }
    return out
}

// Spec HM-VERIFY-65: remember (iss, jti) of every message shown with a checkmark (or "signed
// by"), at least until its exp + 300 s, in storage that survives a restart; a new arrival whose
// pair is remembered is a repeat and gets the neutral UI, never a second checkmark. A message
// received too long after it was signed (HM-VERIFY-64: otp 10 minutes, alert a day, others 3
// days) already comes back as HALLMARK_DELIVERY_TOO_LATE, neutral.
func uiClassOfArrival(_ out: hallmark_verification, seen: inout [String: Int64]) -> hallmark_ui {
    guard out.code == HALLMARK_VERIFIED || out.code == HALLMARK_VERIFIED_DOMAIN else {
        return out.ui
    }
    func text<T>(_ field: T) -> String {
        withUnsafeBytes(of: field) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
    }
    let pair = text(out.brand_id) + "\u{0}" + text(out.token_id)  // brand ids hold no U+0000
    if seen[pair] != nil { return HALLMARK_UI_NEUTRAL }
    seen[pair] = out.expires_at + 300
    return out.ui
}

// Spec §6.9 and §7.5: right after every successful bundle load, and again at least every
// status_every seconds of the bundle, load its status object (fetched from the platform's
// GET /v1/status); persist the state it returns as after a bundle load; then re-check every stored
// verdict that showed a checkmark. A stored message keeps its checkmark only while
// hallmark_verdict_still_valid answers HALLMARK_OK; otherwise draw the class of the code it
// answers (a key revoked since the message arrived: a warning; no fresh status: neutral).
struct StoredVerdict {
    let brandId: String, keyId: String, issuedAt: Int64
    var shown: hallmark_result
}

func loadStatusAndRecheck(verifier: OpaquePointer?, status: [UInt8],
                          persistedState: inout [UInt8]?, stored: inout [StoredVerdict]) {
    var next = [UInt8](repeating: 0, count: hallmark_trust_state_max())
    var nextLen = 0
    let now = Int64(Date().timeIntervalSince1970)
    let state = persistedState ?? []
    let rc = hallmark_verifier_load_status(verifier, status, status.count, state, state.count,
                                           now, &next, next.count, &nextLen, nil)
    if rc == HALLMARK_OK {
        persistedState = Array(next[0..<nextLen])
    }  // HALLMARK_STATUS_OTHER_BUNDLE: fetch and load the bundle first, then the status again
    for i in stored.indices {
        stored[i].shown = hallmark_verdict_still_valid(verifier, stored[i].brandId,
                                                       stored[i].keyId, stored[i].issuedAt, now)
        // render with hallmark_ui_class(stored[i].shown): the checkmark only for HALLMARK_OK
    }
}

// What to draw (spec §8): the checkmark only for HALLMARK_UI_CHECKMARK; "signed by" the domain,
// without checkmark, name, logo or colours, for HALLMARK_UI_DOMAIN (a brand at level basic); a
// warning without the brand's name, logo or colours for HALLMARK_UI_WARNING; otherwise neutral.
// out.ui is the class on the message's own channel (spec HM-RESULT-44: a body changed in transit
// is neutral on e-mail and SMS, a warning on push): the library fills it, never compute it.
// For a stored verdict, hallmark_ui_class_on(code, channel).
func render(_ out: hallmark_verification) {
    switch out.ui {
    case HALLMARK_UI_CHECKMARK:
        // checkmark, out.display_name, the logo whose SHA-256 is out.logo_sha256; the time shown
        // is out.issued_at (signed), and the subject or title only when it is signed
        // (spec HM-RESULT-46); a reply goes to out.reply_to when set, else to From (HM-CARRY-28)
        let subjectSigned = out.signed_fields & HALLMARK_SIGNED_SUBJECT != 0
        print("sent \(out.issued_at); subject \(subjectSigned ? "signed" : "outside the verified view")")
    case HALLMARK_UI_DOMAIN:
        var d = out.signed_domain  // a fixed-size C array: read it as a C string
        let domain = withUnsafeBytes(of: &d) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        print("signed by \(domain)")  // no checkmark, no name, no logo (spec HM-CRED-40)
    case HALLMARK_UI_WARNING:
        if out.code == HALLMARK_SENDER_ALWAYS_SIGNED {
            break  // "this sender signs all its messages; this one is not signed" (HM-RESULT-41)
        }
        break  // "this message claims a verified sender but failed verification"
    default:
        break  // neutral: like any unverified message (API errors too)
    }
    print(String(cString: hallmark_ui_class_name(out.ui)))
}

// An SMS arrives without its token (spec §9.5-9.6): compute its lookup key, fetch the platform's
// token endpoint, and verify against what came back. hallmark_token_lookup_key and
// hallmark_verify_fetched read ids as C strings, so an id holding U+0000 is refused here first
// (Java's binding does the same: HALLMARK_ERR_INVALID_ARGUMENT); such an id is never a real
// sender or number. The fetch: an ephemeral session (no cookies, no cache shared with the app's
// other requests), no redirects followed, a time limit, at most 1 MiB. A failed fetch is not
// "unsigned": show the neutral UI and retry later with the same receivedAt (HM-CARRY-19).
func lookupKey(channel: String, from: String, to: String, body: [UInt8]) -> String? {
    guard !channel.utf8.contains(0), !from.utf8.contains(0), !to.utf8.contains(0) else { return nil }
    var key = [CChar](repeating: 0, count: Int(HALLMARK_LOOKUP_KEY_LEN) + 1)
    let rc = channel.withCString { c in from.withCString { f in to.withCString { t in
        body.withUnsafeBufferPointer { b -> hallmark_result in
            var m = hallmark_message(channel: c, from: f, to: t, body: b.baseAddress,
                                     body_len: b.count, token: nil, token_len: 0, subject: nil,
                                     subject_len: 0, reply_to: nil, reply_to_len: 0)
            return hallmark_token_lookup_key(&m, &key, key.count)
        }
    } } }
    return rc == HALLMARK_OK ? String(cString: key) : nil
}

final class NoRedirects: NSObject, URLSessionTaskDelegate {
    func urlSession(_ session: URLSession, task: URLSessionTask,
                    willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest) async -> URLRequest? { nil }
}

/// nil: the fetch failed (neutral UI, retry later); [] after a 404.
func fetchTokens(endpoint: URL, key: String) async -> [String]? {
    let config = URLSessionConfiguration.ephemeral
    config.httpShouldSetCookies = false
    config.timeoutIntervalForResource = 10
    let session = URLSession(configuration: config, delegate: NoRedirects(), delegateQueue: nil)
    var request = URLRequest(url: endpoint.appendingPathComponent(key))
    request.setValue("application/json", forHTTPHeaderField: "Accept")
    guard let (data, response) = try? await session.data(for: request),
          let http = response as? HTTPURLResponse, data.count <= 1 << 20 else { return nil }
    if http.statusCode == 404 { return [] }
    guard http.statusCode == 200,
          let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          object.count == 1, let tokens = object["tokens"] as? [String],
          tokens.count <= Int(HALLMARK_FETCHED_TOKENS_MAX) else { return nil }
    return tokens
}

func verifyFetched(verifier: OpaquePointer?, channel: String, from: String, to: String,
                   body: [UInt8], tokens: [String], receivedAt: Int64) -> hallmark_verification {
    var out = hallmark_verification()
    guard !channel.utf8.contains(0), !from.utf8.contains(0), !to.utf8.contains(0) else {
        return out  // code 0 is not HALLMARK_VERIFIED: neutral
    }
    let copies = tokens.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    var pointers = copies.map { UnsafePointer<CChar>($0) }
    channel.withCString { c in from.withCString { f in to.withCString { t in
        body.withUnsafeBufferPointer { b in
            var m = hallmark_message(channel: c, from: f, to: t, body: b.baseAddress,
                                     body_len: b.count, token: nil, token_len: 0, subject: nil,
                                     subject_len: 0, reply_to: nil, reply_to_len: 0)
            _ = hallmark_verify_fetched(verifier, &m, &pointers, pointers.count, receivedAt, &out)
        }
    } } }
    return out
}

/// Spec HM-CRED-78: right after a load that returned HALLMARK_OK, fetch the logos not cached yet
/// (never when a message is shown: that fetch would be a read receipt), keep each under its
/// digest only when the library says the bytes match.
func syncLogos(verifier: OpaquePointer?, platform: URL,
               cache: inout [String: Data]) async {
    var count = 0
    _ = hallmark_verifier_logos(verifier, nil, 0, &count)
    var refs = [hallmark_logo_ref](repeating: hallmark_logo_ref(), count: count)
    guard hallmark_verifier_logos(verifier, &refs, count, &count) == HALLMARK_OK else { return }
    let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
    for var ref in refs {
        let name = withUnsafeBytes(of: &ref.sha256_b64) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        if cache[name] != nil { continue }
        let url = platform.appendingPathComponent("v1/logos").appendingPathComponent(name)
        guard let (data, response) = try? await session.data(from: url),
              (response as? HTTPURLResponse)?.statusCode == 200 else { continue }
        let ok = data.withUnsafeBytes { png in
            hallmark_logo_ref_check(&ref, png.bindMemory(to: UInt8.self).baseAddress, png.count)
        }
        if ok == HALLMARK_OK { cache[name] = data } // HALLMARK_LOGO_MISMATCH: discard
    }
}
