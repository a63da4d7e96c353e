/* The verified result as spec §12.2 names its members, for hallmark-verify --json and the
 * WebAssembly binding (verifier/bindings/wasm), so both show a verdict in one shape. A result of
 * level basic carries no name, logo or colours ([HM-VERIFY-41]), so none is given; domain only
 * when there is one. */
#include "verify_json.h"

#include "hm_b64url.h"

json_t *
verify_json_brand(const hallmark_verification *v, json_t *logo_file)
{
    char logo[48];
    json_t *actions = json_array(), *brand, *sender, *logo_obj;
    size_t i;

    for (i = 0; i < v->action_count; i++) {
        json_array_append_new(actions,
                              json_pack("{s:s,s:s,s:s}", "kind",
                                        hallmark_action_kind_name(v->actions[i].kind), "label",
                                        v->actions[i].label, "url", v->actions[i].url));
    }
    (void)hm_b64url_encode(logo, sizeof logo, v->logo_sha256, sizeof v->logo_sha256, NULL);
    sender = json_pack("{s:s}", "kind", hallmark_sender_kind_name(v->sender_kind));
    if (v->agent_name[0] != '\0') {
        json_object_set_new(sender, "name", json_string(v->agent_name));
    }
    logo_obj = json_pack("{s:s,s:I,s:I}", "sha256", logo, "width", (json_int_t)v->logo_width,
                         "height", (json_int_t)v->logo_height);
    if (v->logo_url[0] != '\0') {
        json_object_set_new(logo_obj, "url", json_string(v->logo_url));
    }
    if (logo_file != NULL) { /* the file to draw, or null: the placeholder */
        json_object_set_new(logo_obj, "file", logo_file);
    }
    brand = json_pack("{s:s}", "id", v->brand_id);
    if (v->code == HALLMARK_VERIFIED) {
        json_object_set_new(brand, "name", json_string(v->display_name));
    }
    json_object_update_new(brand,
                           json_pack("{s:s,s:s,s:o,s:o,s:s,s:s,s:I,s:I}", "level",
                                     hallmark_level_name(v->level), "category",
                                     hallmark_category_name(v->category), "sender", sender,
                                     "actions", actions, "kid", v->key_id, "alg", v->alg, "iat",
                                     (json_int_t)v->issued_at, "exp", (json_int_t)v->expires_at));
    if (v->code == HALLMARK_VERIFIED) {
        json_object_set_new(brand, "logo", logo_obj);
        json_object_set_new(
            brand, "colors",
            json_pack("{s:s,s:s}", "primary", v->color_primary, "background", v->color_background));
    } else {
        json_decref(logo_obj);
    }
    if (v->signed_domain[0] != '\0') {
        json_object_set_new(brand, "domain", json_string(v->signed_domain));
    }
    if (v->conversation_id[0] != '\0') {
        json_object_set_new(brand, "conv", json_string(v->conversation_id));
    }
    if (v->signed_fields != 0) { /* [HM-VERIFY-49], in the order of spec 12.2 */
        json_t *marks = json_array();
        if ((v->signed_fields & HALLMARK_SIGNED_SUBJECT) != 0) {
            json_array_append_new(marks, json_string("subject"));
        }
        if ((v->signed_fields & HALLMARK_SIGNED_REPLY_TO) != 0) {
            json_array_append_new(marks, json_string("reply_to"));
        }
        if ((v->signed_fields & HALLMARK_SIGNED_BODY_RENDERING) != 0) {
            json_array_append_new(marks, json_string("body_rendering"));
        }
        json_object_set_new(brand, "signed", marks);
    }
    if (v->reply_to[0] != '\0') {
        json_object_set_new(brand, "reply_to", json_string(v->reply_to));
    }
    return brand;
}
