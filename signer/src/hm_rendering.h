/* The renderings of a body that a signer signs beside it (spec §3.4, [HM-TOKEN-46]): the spelling a
 * carrier or CPaaS may deliver instead of the one sent. One table, the GSM-7 rendering of SMS
 * "smart encoding"; it maps a few typographic characters to GSM 7-bit ASCII and changes nothing
 * else. It cannot tell which spelling a carrier will use: the token carries both digests.
 * Thread-safe (pure). Internal to Hallmark. */
#ifndef HM_RENDERING_H
#define HM_RENDERING_H

#include <stddef.h>

/*
 * The GSM-7 rendering of text (len bytes of valid UTF-8, borrowed) into out, which must hold len
 * bytes (a rendering is never longer than its text). Returns the rendering's length, and sets
 * *changed to 1 if any code point was replaced (0: the rendering is the text itself).
 */
size_t hm_render_gsm7(const char *text, size_t len, char *out, int *changed);

#endif
