/* The flat calls of the WebAssembly build (hallmark_wasm.c), which hallmark.js makes. */
#ifndef HALLMARK_WASM_H
#define HALLMARK_WASM_H

#include <stddef.h>

#include "hallmark.h"

int hmw_create(hallmark_verifier **out, const char *platform, const char *const *roots,
               size_t count, size_t threshold);
void hmw_free(hallmark_verifier *v);
int hmw_load(hallmark_verifier *v, int status, const unsigned char *data, size_t len,
             const unsigned char *state, size_t state_len, double now, unsigned char *state_out,
             size_t *state_out_len, const char **err_message, const char **err_field);
char *hmw_verify(hallmark_verifier *v, const char *channel, size_t channel_len, const char *from,
                 size_t from_len, const char *to, size_t to_len, const unsigned char *body,
                 size_t body_len, const char *token, size_t token_len, const char *subject,
                 size_t subject_len, const char *reply_to, size_t reply_to_len,
                 const char *const *tokens, int token_count, double received_at, double now);
int hmw_recheck(hallmark_verifier *v, const char *iss, const char *kid, double iat, double now);
int hmw_lookup_key(const char *channel, size_t channel_len, const char *from, size_t from_len,
                   const char *to, size_t to_len, const unsigned char *body, size_t body_len,
                   char *out);
char *hmw_logos(hallmark_verifier *v, int *rc);
int hmw_logo_check(const char *sha256_b64, const unsigned char *png, size_t len);
const char *hmw_result_name(int code);
const char *hmw_strerror(int code);
const char *hmw_ui_class_name(int code, const char *channel);
size_t hmw_state_max(void);

#endif
