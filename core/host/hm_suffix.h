/* The Public Suffix List (https://publicsuffix.org) as the host's distribution ships it (Debian:
 * the publicsuffix package, /usr/share/publicsuffix), read once at run time with libpsl and
 * never copied into Hallmark, so a system update refreshes it. Used where a platform program
 * must tell a registrable domain from a suffix anyone can register under: hallmark-keys refuses
 * a public suffix as a link domain, the signer finds bare host names in a body ([HM-TOKEN-41]).
 *
 * $HALLMARK_PUBLIC_SUFFIX_LIST names another file (tests). Thread-safe: the list is loaded once
 * (pthread_once) and only read afterwards. */
#ifndef HM_SUFFIX_H
#define HM_SUFFIX_H

#include <stddef.h>

/* The file the list is (or would be) read from. Static string. */
const char *hm_suffix_list_path(void);

/* 1 if domain (lowercase ASCII, no trailing dot) is a public suffix, in the ICANN or the private
 * section of the list ("co.uk", "com", "github.io"); 0 if not; -1 if the list cannot be read. */
int hm_suffix_is_public(const char *domain);

/* 1 if label (one lowercase ASCII label) is a top-level domain of the list's ICANN section
 * ("com", "uk", "bank"); 0 if not; -1 if the list cannot be read. */
int hm_suffix_is_tld(const char *label);

#endif
