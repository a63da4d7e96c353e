/* Identifier syntax and matching of the spec (§4 canonical ids, §5.6 sender authorization,
 * §5.7 link domains and the action URL check). */
#ifndef HM_IDS_H
#define HM_IDS_H

#include <stddef.h>

/* The longest canonical id any channel allows, plus its NUL. */
#define HM_ID_MAX 512U

/* The index of s in names[0..count), or -1 (also for NULL). For the spec's closed vocabularies
 * (categories, action kinds, levels, key states). */
int hm_name_index(const char *s, const char *const *names, size_t count);

/* 1 if s (NUL-terminated) is a brand id: [a-z0-9][a-z0-9-]{1,62}. */
int hm_brand_id_ok(const char *s);

/* 1 if s is a channel name: [a-z0-9-]{1,16}. */
int hm_channel_ok(const char *s);

/* 1 if s is an E.164 number: \+[1-9][0-9]{7,14}. */
int hm_e164_ok(const char *s);

/* 1 if s is a DNS name as §4 defines it (lowercase A-labels, >= 2 labels, no trailing dot). */
int hm_dns_name_ok(const char *s, size_t len);

/* 1 if s is a valid canonical sender id for channel (§4 table). */
int hm_sender_id_ok(const char *channel, const char *s);

/* 1 if s is a valid canonical recipient id for channel. */
int hm_recipient_id_ok(const char *channel, const char *s);

/*
 * Canonicalizes an id the app passes (§4 last column) into out (HM_ID_MAX bytes). Returns 1 if
 * the result is a valid id for the channel, 0 otherwise (the caller then reports a mismatch).
 */
int hm_canonical_sender(const char *channel, const char *in, char out[HM_ID_MAX]);
int hm_canonical_recipient(const char *channel, const char *in, char out[HM_ID_MAX]);

/* The length (1-3) of the E.164 country code that digits (the number after its "+") starts with,
 * by the table of [HM-CRED-62]; 0 if digits cannot start a number. */
size_t hm_country_code_len(const char *digits);

/* 1 if s is "+" and a whole country code ([HM-CRED-62]): "+44", "+1", "+353"; not "+4", "+441". */
int hm_country_code_ok(const char *s);

/* 1 if s is a sender prefix: "+", a country code and 5 to 13 more digits, 14 digits at most
 * ([HM-CRED-14], [HM-CRED-65]). */
int hm_sender_prefix_ok(const char *s);

/* 1 if id is a sender id that names no country, so that its entry carries one ([HM-CRED-62]):
 * an sms short code or alphanumeric id. */
int hm_sender_takes_country(const char *channel, const char *id);

/* 1 if country is NULL (an entry that names none), or to is an E.164 number in country
 * ([HM-CRED-63]). */
int hm_recipient_in_country(const char *country, const char *to);

/* 1 if channel carries E.164 senders that prefix entries may match (sms, whatsapp). */
int hm_channel_takes_prefix(const char *channel);

/*
 * The action URL check (§5.7 steps 1-7): 1 if url is well-formed, with the lowercased host
 * copied into host (HM_ID_MAX bytes).
 */
int hm_action_url_host(const char *url, char host[HM_ID_MAX]);

/* 1 if host equals domain or ends with "." domain. */
int hm_host_within(const char *host, const char *domain);

/* A link_domains entry ([HM-CRED-48]): a DNS name, or "*." and a DNS name (len bytes). */
int hm_link_entry_ok(const char *entry, size_t len);

/* Step 8 of the URL check ([HM-CRED-50]): 1 if host equals an entry that is a DNS name, or ends
 * with "." d for an entry "*.d". */
int hm_link_entry_matches(const char *host, const char *entry);

/* The domain an entry stands for in ownership ([HM-CRED-51]): d for "*.d", else the entry. */
const char *hm_link_entry_domain(const char *entry);

/*
 * Sender ownership (spec §5.6, [HM-CRED-28]-[HM-CRED-30]): the one definition of which sender ids
 * a credential's sender entry claims, and so of when two brands' entries overlap. The verifier's
 * bundle index (hm_bundle.c) and hallmark-keys' ownership rule both follow it.
 *
 * 1 if the entry (channel, value, is_prefix, country) claims sender id f on channel fc for
 * recipient to (NULL: none valid): the same channel and f equal to an exact id whose country, if
 * any, is to's ([HM-CRED-63]); or f an E.164 number starting with a prefix (sms, whatsapp); or, on
 * email, f a subdomain of the entry's domain.
 */
int hm_sender_entry_claims(const char *channel, const char *value, int is_prefix,
                           const char *country, const char *fc, const char *f, const char *to);

/* 1 if some (sender id, recipient) is claimed by both entries (hm_sender_entry_claims): for two
 * exact ids, countries that differ never overlap; a NULL country overlaps every country
 * ([HM-CRED-64], [HM-CRED-66]). */
int hm_sender_entries_overlap(const char *channel_a, const char *a, int a_prefix,
                              const char *country_a, const char *channel_b, const char *b,
                              int b_prefix, const char *country_b);

/* 1 if two brands' link entries overlap for ownership ([HM-CRED-30], [HM-CRED-51]): their
 * domains (hm_link_entry_domain) are equal or one is a subdomain of the other. */
int hm_link_domains_overlap(const char *a, const char *b);

#endif
