// A Swift app verifying one message with the Hallmark C library (not built here: no Swift
// toolchain on the build machines; the module map is checked by tests/cli/swift_module.sh).
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
                                 token: k, token_len: strlen(k))
        _ = hallmark_verify(verifier, &m, receivedAt, &out)
    } } } }
    return out  // show the checkmark only if out.code == HALLMARK_VERIFIED
}
