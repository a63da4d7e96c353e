#include "hm_token_claims.h"

void
hm_token_claims_write(hm_json_writer *w, const hm_token_claims *c)
{
    size_t i;

    hm_json_write_member(w, "{\"iss\":", c->iss);
    hm_json_write_lit(w, ",\"iat\":");
    hm_json_write_int(w, c->iat);
    hm_json_write_lit(w, ",\"exp\":");
    hm_json_write_int(w, c->exp);
    hm_json_write_member(w, ",\"jti\":", c->jti);
    hm_json_write_member(w, ",\"channel\":", c->channel);
    hm_json_write_member(w, ",\"from\":", c->from);
    hm_json_write_member(w, ",\"rcpt\":", c->rcpt);
    hm_json_write_member(w, ",\"body\":", c->body);
    hm_json_write_member(w, ",\"cred\":", c->cred);
    hm_json_write_member(w, ",\"category\":", c->category);
    hm_json_write_member(w, ",\"sender\":{\"kind\":", c->sender_kind);
    if (c->sender_name != NULL) {
        hm_json_write_member(w, ",\"name\":", c->sender_name);
    }
    hm_json_write_lit(w, "}");
    if (c->conv != NULL) {
        hm_json_write_member(w, ",\"conv\":", c->conv);
    }
    if (c->action_count > 0) {
        hm_json_write_lit(w, ",\"actions\":[");
        for (i = 0; i < c->action_count; i++) {
            hm_json_write_member(w, i == 0 ? "{\"kind\":" : ",{\"kind\":", c->actions[i].kind);
            hm_json_write_member(w, ",\"label\":", c->actions[i].label);
            hm_json_write_member(w, ",\"url\":", c->actions[i].url);
            hm_json_write_lit(w, "}");
        }
        hm_json_write_lit(w, "]");
    }
    if (c->alt_body != NULL) {
        hm_json_write_member(w, ",\"alt_body\":[", c->alt_body);
        hm_json_write_lit(w, "]");
    }
    if (c->subject != NULL) {
        hm_json_write_member(w, ",\"subject\":", c->subject);
    }
    if (c->reply_to != NULL) {
        hm_json_write_member(w, ",\"reply_to\":", c->reply_to);
    }
    hm_json_write_lit(w, "}");
}
