// A Swift app verifying one message with the Hallmark C library (not built here: no Swift
// toolchain on the build machines; the module map is checked by tests/cli/swift_module.sh).
//
// Ids may hold U+0000 (spec [HM-ID-7]). Swift bridges a String to C as its UTF-8 bytes and a
// terminator, with any U+0000 inside left in place, so C would read "ALPHABANK\u{0}.evil" as
// "ALPHABANK". Pass the UTF-8 lengths with hallmark_verify_sized, as below: an id with U+0000
// then gets HALLMARK_SENDER_MISMATCH or HALLMARK_RECIPIENT_MISMATCH (a channel with it,
// HALLMARK_ERR_INVALID_ARGUMENT), never a checkmark. Never use strlen() on an id.
import Hallmark

func verifyMessage(bundle: [UInt8], lastSerial: UInt64, channel: String, from: String, to: String,
                   body: [UInt8], token: String, receivedAt: Int64) -> hallmark_verification {
    var verifier: OpaquePointer?
    let root = strdup("iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w")  // pinned in the app
    defer { free(root) }
    var roots: [UnsafePointer<CChar>?] = [UnsafePointer(root)]
    var out = hallmark_verification()
    guard hallmark_verifier_new(&verifier, &roots, 1) == HALLMARK_OK else { return out }
    defer { hallmark_verifier_free(verifier) }
    var serial: UInt64 = 0
    guard hallmark_verifier_load_bundle(verifier, bundle, bundle.count, lastSerial,
                                        Int64(Date().timeIntervalSince1970), &serial, nil)
            == HALLMARK_OK else { return out }
    // persist `serial` here
    channel.withCString { c in from.withCString { f in to.withCString { t in token.withCString { k in
        var m = hallmark_message(channel: c, from: f, to: t, body: body, body_len: body.count,
                                 token: k, token_len: token.utf8.count)
        _ = hallmark_verify_sized(verifier, &m, channel.utf8.count, from.utf8.count, to.utf8.count,
                                  receivedAt, &out)
    } } } }
    return out
}

// What to draw (spec §8): the checkmark only for HALLMARK_UI_CHECKMARK; "signed by" the domain,
// without checkmark, name, logo or colours, for HALLMARK_UI_DOMAIN (a brand at level basic); a
// warning without the brand's name, logo or colours for HALLMARK_UI_WARNING; otherwise neutral.
func render(_ out: hallmark_verification) {
    switch hallmark_ui_class(out.code) {
    case HALLMARK_UI_CHECKMARK:
        break  // checkmark, out.display_name, the logo whose SHA-256 is out.logo_sha256
    case HALLMARK_UI_DOMAIN:
        var d = out.signed_domain  // a fixed-size C array: read it as a C string
        let domain = withUnsafeBytes(of: &d) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        print("signed by \(domain)")  // no checkmark, no name, no logo (spec HM-CRED-40)
    case HALLMARK_UI_WARNING:
        break  // "this message claims a verified sender but failed verification"
    default:
        break  // neutral: like any unverified message (API errors too)
    }
    print(String(cString: hallmark_ui_class_name(hallmark_ui_class(out.code))))
}
