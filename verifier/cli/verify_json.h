/* The verified result of spec §12.2 as JSON: hallmark-verify --json and the wasm binding. */
#ifndef VERIFY_JSON_H
#define VERIFY_JSON_H

#include <jansson.h>

#include "hallmark.h"

/* A new object (the caller's reference) with the brand data of v, a HALLMARK_VERIFIED or
 * HALLMARK_VERIFIED_DOMAIN result: id, name, level, category, sender, actions, kid, alg, iat, exp,
 * logo and colors (VERIFIED only), domain, conv, signed, reply_to. logo_file, when not NULL, is
 * stolen and set as logo.file. NULL only when an allocation fails. */
json_t *verify_json_brand(const hallmark_verification *v, json_t *logo_file);

#endif
