// hallmark-wasm: the Hallmark verifier (libhallmark) compiled to WebAssembly, for browsers and
// Node 20. One implementation: the C verifier (verifier/src, core) runs inside the .wasm; this
// file only moves bytes in and out (hallmark_wasm.c's flat calls). Only "HALLMARK_VERIFIED"
// earns the checkmark; use verdict.ui, never a result of your own.

const STATE_MAX = 1024;
const LOOKUP_KEY_LEN = 43;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const isNode = typeof process === "object" && process.versions != null &&
    typeof process.versions.node === "string";

const ready = new Map();

/**
 * Loads the WebAssembly module once; every later call with the same es256 returns the same
 * promise. options.es256: the build that also verifies ES256 brand keys (P-256 on mbed TLS,
 * 15 KB more); without it ES256 tokens give HALLMARK_UNSUPPORTED_ALG (neutral). In a browser the
 * .wasm is fetched beside this file; options.wasmBinary (bytes) or options.wasmUrl override that.
 */
export function loadHallmark(options = {}) {
    const es256 = options.es256 === true;
    if (!ready.has(es256)) {
        const p = instantiate(options, es256).then((core) => new Hallmark(core));
        p.catch(() => ready.delete(es256));
        ready.set(es256, p);
    }
    return ready.get(es256);
}

async function instantiate(options, es256) {
    const name = es256 ? "hallmark-core-es256" : "hallmark-core";
    const { default: createHallmarkCore } = es256 ? await import("./hallmark-core-es256.mjs")
        : await import("./hallmark-core.mjs");
    const url = options.wasmUrl ?? new URL(`./${name}.wasm`, import.meta.url);
    let wasmBinary = options.wasmBinary;
    if (wasmBinary === undefined && isNode) {
        const { readFile } = await import("node:fs/promises");
        wasmBinary = await readFile(url);
    }
    const moduleArg = {
        // libsodium's randombytes asks JavaScript (sodium_malloc's canaries); the same source in
        // Node 20 and browsers.
        getRandomValue: () => globalThis.crypto.getRandomValues(new Uint32Array(1))[0] >>> 0,
        locateFile: () => String(url),
        print: () => {},
        printErr: () => {},
    };
    if (wasmBinary !== undefined) {
        moduleArg.wasmBinary = wasmBinary;
    }
    return createHallmarkCore(moduleArg);
}

function nowSeconds() {
    return Math.floor(Date.now() / 1000);
}

function toBytes(value, what) {
    if (value instanceof Uint8Array) return value;
    if (typeof value === "string") return encoder.encode(value);
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    throw new TypeError(`${what}: a string, Uint8Array or ArrayBuffer`);
}

function checkTime(t, what) {
    if (!Number.isSafeInteger(t)) throw new TypeError(`${what}: whole seconds since the epoch`);
    return t;
}

/** The library, once loaded: verifiers and the pure functions. */
class Hallmark {
    constructor(core) {
        this.core = core;
    }

    /** Allocations of one call, freed together. */
    scope() {
        const core = this.core;
        const ptrs = [];
        return {
            bytes(value) { // a copy with a NUL after it; [pointer, length]
                const b = value ?? new Uint8Array(0);
                const p = core._malloc(b.length + 1);
                if (p === 0) throw new RangeError("hallmark-wasm: out of memory");
                ptrs.push(p);
                core.HEAPU8.set(b, p);
                core.HEAPU8[p + b.length] = 0;
                return [p, b.length];
            },
            string(s) { return this.bytes(encoder.encode(s)); },
            alloc(n) {
                const p = core._malloc(n);
                if (p === 0) throw new RangeError("hallmark-wasm: out of memory");
                core.HEAPU8.fill(0, p, p + n);
                ptrs.push(p);
                return p;
            },
            free() { for (const p of ptrs) core._free(p); },
        };
    }

    /** Parses and frees a JSON text the C side allocated (hmw_verify, hmw_logos). */
    takeJson(text) {
        try {
            return JSON.parse(this.core.UTF8ToString(text));
        } finally {
            this.core._free(text);
        }
    }

    /** The symbolic name of a result code ("HALLMARK_VERIFIED"). */
    resultName(code) { return this.core.UTF8ToString(this.core._hmw_result_name(code)); }

    /** The sentence of a result code (hallmark_strerror). */
    strerror(code) { return this.core.UTF8ToString(this.core._hmw_strerror(code)); }

    /** What an app shows for a result on a channel: "checkmark", "domain", "neutral",
     * "warning", "api-error" or "none" (hallmark_ui_class_on; channel null: byte-exact). */
    uiClass(code, channel = null) {
        const s = this.scope();
        try {
            const c = channel === null ? 0 : s.string(channel)[0];
            return this.core.UTF8ToString(this.core._hmw_ui_class_name(code, c));
        } finally {
            s.free();
        }
    }

    /**
     * A verifier for one platform with the app's pinned roots (hallmark_verifier_create). Throws
     * HallmarkError on a bad argument or key. Call free() when done.
     */
    createVerifier({ platform, roots, threshold = 1 }) {
        const s = this.scope();
        try {
            if (!Array.isArray(roots)) throw new TypeError("roots: an array of base64url keys");
            const list = s.alloc(4 * Math.max(roots.length, 1));
            roots.forEach((r, i) => { this.core.HEAPU32[(list >> 2) + i] = s.string(String(r))[0]; });
            const out = s.alloc(4);
            const rc = this.core._hmw_create(out, s.string(String(platform))[0], list,
                roots.length, threshold);
            if (rc !== 0) throw new HallmarkError(this, rc, "createVerifier");
            return new Verifier(this, this.core.HEAPU32[out >> 2]);
        } finally {
            s.free();
        }
    }

    /** The token directory's lookup key of a message that came without its token (spec §9.6):
     * { result, key } with key set when result is "HALLMARK_OK". */
    lookupKey(message) {
        const s = this.scope();
        try {
            const [ch, chLen] = s.string(message.channel);
            const [from, fromLen] = s.string(message.from);
            const [to, toLen] = s.string(message.to);
            const [body, bodyLen] = s.bytes(toBytes(message.body ?? "", "body"));
            const out = s.alloc(LOOKUP_KEY_LEN + 1);
            const rc = this.core._hmw_lookup_key(ch, chLen, from, fromLen, to, toLen, body, bodyLen, out);
            return { result: this.resultName(rc), key: rc === 0 ? this.core.UTF8ToString(out) : null };
        } finally {
            s.free();
        }
    }

    /** Checks logo bytes against a digest (base64url) the bundle or a verdict names:
     * "HALLMARK_OK" or "HALLMARK_LOGO_MISMATCH" (discard the bytes). */
    logoCheck(sha256, png) {
        const s = this.scope();
        try {
            const [p, n] = s.bytes(toBytes(png, "png"));
            return this.resultName(this.core._hmw_logo_check(s.string(String(sha256))[0], p, n));
        } finally {
            s.free();
        }
    }
}

/** A failed call that is not a verdict (a bad argument, a bad root key). */
export class HallmarkError extends Error {
    constructor(lib, code, call) {
        super(`${call}: ${lib.strerror(code)} (${lib.resultName(code)})`);
        this.name = "HallmarkError";
        this.code = code;
        this.result = lib.resultName(code);
    }
}

/** One platform's verifier: the pinned roots, the bundle and status in force. */
class Verifier {
    constructor(lib, ptr) {
        this.lib = lib;
        this.ptr = ptr;
    }

    live() {
        if (this.ptr === 0) throw new TypeError("hallmark-wasm: the verifier was freed");
        return this.ptr;
    }

    load(which, data, { state = null, now = nowSeconds() } = {}) {
        const lib = this.lib, core = lib.core, s = lib.scope();
        try {
            const [d, dLen] = s.bytes(toBytes(data, which ? "status" : "bundle"));
            const [st, stLen] = state === null ? [0, 0] : s.bytes(toBytes(state, "state"));
            const out = s.alloc(STATE_MAX), outLen = s.alloc(4), msg = s.alloc(4), field = s.alloc(4);
            const rc = core._hmw_load(this.live(), which, d, dLen, st, stLen,
                checkTime(now, "now"), out, outLen, msg, field);
            if (rc !== 0) {
                const m = core.HEAPU32[msg >> 2], f = core.HEAPU32[field >> 2];
                return {
                    result: lib.resultName(rc), ui: lib.uiClass(rc),
                    message: m ? core.UTF8ToString(m) : lib.strerror(rc),
                    field: f ? core.UTF8ToString(f) : null,
                };
            }
            const next = core.HEAPU8.slice(out, out + core.HEAPU32[outLen >> 2]);
            let serial = null;
            try {
                serial = JSON.parse(decoder.decode(next)).serial ?? null;
            } catch {
                serial = null;
            }
            return { result: "HALLMARK_OK", state: next, serial };
        } finally {
            s.free();
        }
    }

    /**
     * Loads a trust bundle against the persisted trust state (hallmark_verifier_load). On
     * { result: "HALLMARK_OK", state, serial } persist state (bytes) as it is and pass it to the
     * next load; on failure the bundle in force stays and result names the reason.
     */
    loadBundle(bundle, options) { return this.load(0, bundle, options); }

    /** Loads the bundle's status object (hallmark_verifier_load_status); as loadBundle. */
    loadStatus(status, options) { return this.load(1, status, options); }

    /**
     * Verifies one message (hallmark_verify_sized_at, or hallmark_verify_fetched_at when
     * options.tokens gives what the directory returned for a message without its token).
     * message: { channel, from, to, body (string or bytes), token?, subject?, replyTo? }.
     * Returns { result, message, ui, brand?, jti? }: the JSON of hallmark-verify --json.
     */
    verify(message, { receivedAt, now = nowSeconds(), tokens = null } = {}) {
        const lib = this.lib, core = lib.core, s = lib.scope();
        try {
            const [ch, chLen] = s.string(String(message.channel));
            const [from, fromLen] = s.string(String(message.from));
            const [to, toLen] = s.string(String(message.to));
            const [body, bodyLen] = s.bytes(toBytes(message.body ?? "", "body"));
            const [tok, tokLen] = message.token == null ? [0, 0] : s.string(String(message.token));
            const [subj, subjLen] = message.subject == null ? [0, 0] : s.string(String(message.subject));
            const [reply, replyLen] = message.replyTo == null ? [0, 0] : s.string(String(message.replyTo));
            let list = 0, count = -1;
            if (tokens !== null) {
                list = s.alloc(4 * Math.max(tokens.length, 1));
                tokens.forEach((t, i) => { core.HEAPU32[(list >> 2) + i] = s.string(String(t))[0]; });
                count = tokens.length;
            }
            checkTime(now, "now");
            const text = core._hmw_verify(this.live(), ch, chLen, from, fromLen, to, toLen, body,
                bodyLen, tok, tokLen, subj, subjLen, reply, replyLen, list, count,
                checkTime(receivedAt ?? now, "receivedAt"), now);
            if (text === 0) throw new RangeError("hallmark-wasm: out of memory");
            return lib.takeJson(text);
        } finally {
            s.free();
        }
    }

    /** Re-checks a stored checkmark (hallmark_verdict_still_valid): "HALLMARK_OK" keeps it. */
    verdictStillValid({ iss, kid, iat }, now = nowSeconds()) {
        const s = this.lib.scope();
        try {
            return this.lib.resultName(this.lib.core._hmw_recheck(this.live(), s.string(iss)[0],
                s.string(kid)[0], checkTime(iat, "iat"), checkTime(now, "now")));
        } finally {
            s.free();
        }
    }

    /** The logos of the bundle in force to fetch now, at load, never at display
     * (hallmark_verifier_logos): [{ sha256, url? }]. */
    logos() {
        const lib = this.lib, core = lib.core, s = lib.scope();
        try {
            const rc = s.alloc(4);
            const text = core._hmw_logos(this.live(), rc);
            const code = core.HEAP32[rc >> 2];
            if (code !== 0) throw new HallmarkError(lib, code, "logos");
            return lib.takeJson(text);
        } finally {
            s.free();
        }
    }

    /** Frees the verifier; later calls throw. */
    free() {
        if (this.ptr !== 0) {
            this.lib.core._hmw_free(this.ptr);
            this.ptr = 0;
        }
    }
}
