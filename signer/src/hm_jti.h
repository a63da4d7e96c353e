/* Token ids ([HM-TOKEN-13]): 16 random bytes each, drawn from a per-thread pool so that a token
 * costs no system call. Each pool is 4 KiB of ChaCha20 output (randombytes_buf_deterministic)
 * under a 32-byte seed from the system's generator (randombytes_buf), refilled every 256 ids;
 * bytes handed out are wiped from the pool at once. A child process never reuses its parent's
 * pool (pthread_atfork), so ids stay unique across fork. Internal to the signer. */
#ifndef HM_JTI_H
#define HM_JTI_H

#define HM_JTI_BYTES 16

/* Fills out with the next HM_JTI_BYTES unpredictable bytes of this thread's pool. Thread-safe. */
void hm_jti_random(unsigned char out[HM_JTI_BYTES]);

/* Wipes this thread's pool (sodium_memzero); the next id refills it. For a thread about to end. */
void hm_jti_pool_wipe(void);

#endif
