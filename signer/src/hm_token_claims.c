#include "hm_token_claims.h"

#include <string.h>

/* Appends ,"name":"value" (name a literal that needs no escaping; lead the member separator). */
static void
member(hm_json_writer *w, const char *lead, const char *value)
{
    hm_json_write_lit(w, lead);
    hm_json_write_string(w, value, strlen(value));
}

void
hm_token_claims_write(hm_json_writer *w, const hm_token_claims *c)
{
    size_t i;

    member(w, "{\"iss\":", c->iss);
    hm_json_write_lit(w, ",\"iat\":");
    hm_json_write_int(w, c->iat);
    hm_json_write_lit(w, ",\"exp\":");
    hm_json_write_int(w, c->exp);
    member(w, ",\"jti\":", c->jti);
    member(w, ",\"channel\":", c->channel);
    member(w, ",\"from\":", c->from);
    member(w, ",\"rcpt\":", c->rcpt);
    member(w, ",\"body\":", c->body);
    member(w, ",\"cred\":", c->cred);
    member(w, ",\"category\":", c->category);
    member(w, ",\"sender\":{\"kind\":", c->sender_kind);
    if (c->sender_name != NULL) {
        member(w, ",\"name\":", c->sender_name);
    }
    hm_json_write_lit(w, "}");
    if (c->conv != NULL) {
        member(w, ",\"conv\":", c->conv);
    }
    if (c->action_count > 0) {
        hm_json_write_lit(w, ",\"actions\":[");
        for (i = 0; i < c->action_count; i++) {
            member(w, i == 0 ? "{\"kind\":" : ",{\"kind\":", c->actions[i].kind);
            member(w, ",\"label\":", c->actions[i].label);
            member(w, ",\"url\":", c->actions[i].url);
            hm_json_write_lit(w, "}");
        }
        hm_json_write_lit(w, "]");
    }
    if (c->alt_body != NULL) {
        member(w, ",\"alt_body\":[", c->alt_body);
        hm_json_write_lit(w, "]");
    }
    if (c->subject != NULL) {
        member(w, ",\"subject\":", c->subject);
    }
    if (c->reply_to != NULL) {
        member(w, ",\"reply_to\":", c->reply_to);
    }
    hm_json_write_lit(w, "}");
}
