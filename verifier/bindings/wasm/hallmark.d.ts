// Types of hallmark-wasm (hallmark.js): the Hallmark verifier (libhallmark, C) in WebAssembly.

/** A result code's symbolic name, as the C library and the spec vectors name it. */
export type ResultName = `HALLMARK_${string}`;

/** What an app shows for a verdict (spec §8): only "checkmark" shows the brand with a checkmark. */
export type UiClass = "checkmark" | "domain" | "neutral" | "warning" | "api-error" | "none";

export type Bytes = Uint8Array | ArrayBuffer | string;

export interface LoadOptions {
  /** The trust state persisted after the last successful load; null on first use only. */
  state?: Uint8Array | string | null;
  /** Seconds since the epoch; default: now. */
  now?: number;
}

export type LoadResult =
  | { result: "HALLMARK_OK"; state: Uint8Array; serial: number | null }
  | { result: ResultName; ui: UiClass; message: string; field: string | null };

export interface Message {
  channel: string;
  from: string;
  to: string;
  /** The body as received: text (UTF-8) or bytes. */
  body?: Uint8Array | string;
  /** The compact JWS; absent, null or "" when the message is unsigned. */
  token?: string | null;
  /** The displayed e-mail Subject or push title; absent when none is displayed. */
  subject?: string | null;
  /** The displayed e-mail Reply-To address; absent when none. */
  replyTo?: string | null;
}

export interface VerifyOptions {
  /** When the app received the message, by its own clock (default: now). */
  receivedAt?: number;
  /** The device clock now, seconds since the epoch (default: now). */
  now?: number;
  /** For a message without its token: what the token directory returned for its lookup key. */
  tokens?: string[] | null;
}

export interface Action {
  kind: "link" | "reply" | "call" | "unsubscribe" | "preferences" | "unknown";
  label: string;
  url: string;
}

/** The brand data of a pass, as hallmark-verify --json gives it (spec §12.2). */
export interface Brand {
  id: string;
  /** HALLMARK_VERIFIED only (a brand at level basic shows its domain only). */
  name?: string;
  level: "basic" | "organization" | "trademark" | "unknown";
  category: "transactional" | "otp" | "alert" | "marketing" | "service" | "unknown";
  sender: { kind: "automated" | "human" | "ai" | "unknown"; name?: string };
  actions: Action[];
  kid: string;
  alg: string;
  iat: number;
  exp: number;
  logo?: { sha256: string; width: number; height: number; url?: string };
  colors?: { primary: string; background: string };
  domain?: string;
  conv?: string;
  signed?: Array<"subject" | "reply_to" | "body_rendering">;
  reply_to?: string;
}

export interface Verdict {
  result: ResultName;
  /** hallmark_strerror of the result: a sentence for logs, not for the customer. */
  message: string;
  /** What to show, on the message's own channel. */
  ui: UiClass;
  /** On HALLMARK_VERIFIED and HALLMARK_VERIFIED_DOMAIN only. */
  brand?: Brand;
  /** The verified token's jti: with brand.id, the pair to remember to show a repeat as neutral. */
  jti?: string;
}

export interface LogoRef {
  sha256: string;
  url?: string;
}

export declare class Verifier {
  private constructor();
  loadBundle(bundle: Bytes, options?: LoadOptions): LoadResult;
  loadStatus(status: Bytes, options?: LoadOptions): LoadResult;
  verify(message: Message, options?: VerifyOptions): Verdict;
  verdictStillValid(stored: { iss: string; kid: string; iat: number }, now?: number): ResultName;
  logos(): LogoRef[];
  free(): void;
}

export declare class HallmarkError extends Error {
  readonly code: number;
  readonly result: ResultName;
}

export interface Hallmark {
  createVerifier(options: { platform: string; roots: string[]; threshold?: number }): Verifier;
  lookupKey(message: Message): { result: ResultName; key: string | null };
  logoCheck(sha256: string, png: Bytes): ResultName;
  resultName(code: number): ResultName;
  strerror(code: number): string;
  uiClass(code: number, channel?: string | null): UiClass;
}

export declare function loadHallmark(options?: {
  /** The build that also verifies ES256 brand keys (P-256 on mbed TLS, about 15 KB more). */
  es256?: boolean;
  wasmBinary?: Uint8Array | ArrayBuffer;
  wasmUrl?: string | URL;
}): Promise<Hallmark>;
