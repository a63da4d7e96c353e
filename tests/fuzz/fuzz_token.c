/* libFuzzer target: token parsing and full verification (spec §7) against one valid trust bundle,
 * the one of spec/vectors/001-sms-alphanumeric.json. An input is a token, or a message and a token:
 * a first line holding the message as JSON ({"channel","from","to","body"}, as hallmark-verify
 * reads it) and the token after it. A token that starts with '{' is taken as claims and signed
 * with the vector brand key (the generator's fixed seed), so that the claims checks behind the
 * signature are fuzzed too. Nothing may crash, and a verdict must not change when repeated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hallmark.h"
#include "hm_json.h"
#include "hm_jws_sign.h"
#include "hm_signkey.h"
#include "vector_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MESSAGE_LINE_MAX ((size_t)256 * 1024)

static const char token_header[] = "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":"
                                   "\"nRIE2VmKdMjL1JD7tbV7fXVgXxmv0GKnMFWRUJMTf9Q\"}";

/* The bundle of vector 001, in pieces (C11 only promises 4095 bytes per string literal). */
static const char *const bundle_parts[] = {
    "eyJhbGciOiJFZDI1NTE5IiwidHlwIjoiaGFsbG1hcmstYnVuZGxlK2p3dCIsImtpZCI6ImFWQnRhcExkMTFTVVZL",
    "SU1HSmZQek9FRHVOMHNYY216SlFOVlQtX3NLRVUifQ.eyJ2IjoxLCJwbGF0Zm9ybSI6IkhhbGxtYXJrIFZlY3Rvc",
    "nMiLCJzZXJpYWwiOjcsImlhdCI6MTc5NTU5MzYwMCwiZXhwIjoxNzk2MjAyMDAwLCJyb290cyI6W10sInB1Ymxpc",
    "2hlciI6ImV5SmhiR2NpT2lKRlpESTFOVEU1SWl3aWRIbHdJam9pYUdGc2JHMWhjbXN0Y0hWaWJHbHphR1Z5SzJwM",
    "2RDSXNJbXRwWkNJNklsVkVSRkpsVDFwc01XbHdXRUZtY0RsM1dYTnRNVE56UkVKTlN6VnZaeTB0VVZka1FtcDZkV",
    "1kyYnpRaWZRLmV5SjJJam94TENKcWQyc2lPbnNpWTNKMklqb2lSV1F5TlRVeE9TSXNJbXQwZVNJNklrOUxVQ0lzS",
    "W5naU9pSm5WR3d6UkhGb09VWXhPVmR2TVZKdGR6QjRMWHBOZFU1cGNFY3dOMnBsYVZobVdWQlhORjlLY3pWUkluM",
    "HNJbTVpWmlJNk1UYzJOREEyTVRJd01Dd2laWGh3SWpveE9ESTNNVE16TWpBd2ZRLk5HNFJQWGp2QTdITDRTMlNzM",
    "nJvaExoWl9EY0o0bjhjUG9EaERuUnFucUJiX1RmUl9lcUtlRno2TWRkN19XQjJMUlhUdV9MYjBHdExvc3ZxdW9Kd",
    "kJRIiwiYnJhbmRzIjpbeyJjcmVkZW50aWFsIjoiZXlKaGJHY2lPaUpGWkRJMU5URTVJaXdpZEhsd0lqb2lhR0ZzY",
    "kcxaGNtc3RZbkpoYm1RcmFuZDBJaXdpYTJsa0lqb2lZVlpDZEdGd1RHUXhNVk5WVmt0SlRVZEtabEI2VDBWRWRVN",
    "HdjMWhqYlhwS1VVNVdWQzFmYzB0RlZTSjkuZXlKMklqb3hMQ0p6ZFdJaU9pSmhZMjFsTFdKaGJtc2lMQ0p1WVcxb",
    "Elqb2lRV050WlNCQ1lXNXJJaXdpYkc5bmJ5STZleUp6YUdFeU5UWWlPaUpNUTJFd1lUSnFYM2h2WHpWdE1GVTRTR",
    "lJDUWs1Q1RrTk1XRUpyWnpjdFp5MVpjR1ZwUjBwdE5UWTBJaXdpZDJsa2RHZ2lPakkxTml3aWFHVnBaMmgwSWpve",
    "U5UWXNJblZ5YkNJNkltaDBkSEJ6T2k4dlkyUnVMbUZqYldVdVpYaGhiWEJzWlM5c2IyZHZMbkJ1WnlKOUxDSmpiM",
    "nh2Y25NaU9uc2ljSEpwYldGeWVTSTZJaU13UWpWR1JrWWlMQ0ppWVdOclozSnZkVzVrSWpvaUkwWkdSa1pHUmlKO",
    "UxDSnNaWFpsYkNJNkltOXlaMkZ1YVhwaGRHbHZiaUlzSW5ObGJtUmxjbk1pT2x0N0ltTm9ZVzV1Wld3aU9pSnpiW",
    "E1pTENKcFpDSTZJa0ZEVFVWQ1FVNUxJbjBzZXlKamFHRnVibVZzSWpvaWMyMXpJaXdpYVdRaU9pSTNNakl6TXlKO",
    "UxIc2lZMmhoYm01bGJDSTZJbk50Y3lJc0luQnlaV1pwZUNJNklpczBORGMzTURBNUluMHNleUpqYUdGdWJtVnNJa",
    "m9pZDJoaGRITmhjSEFpTENKcFpDSTZJaXMwTkRjM01EQTVNREExTURBaWZTeDdJbU5vWVc1dVpXd2lPaUp5WTNNa",
    "UxDSnBaQ0k2SW1GamJXVmZZbUZ1YTE5aFoyVnVkRUJ5WW0wdVoyOXZaeUo5TEhzaVkyaGhibTVsYkNJNkltVnRZV",
    "2xzSWl3aWFXUWlPaUpoWTIxbExtVjRZVzF3YkdVaWZTeDdJbU5vWVc1dVpXd2lPaUp3ZFhOb0lpd2lhV1FpT2lKa",
    "mIyMHVZV050WlM1aVlXNXJJbjBzZXlKamFHRnVibVZzSWpvaWFXNWhjSEFpTENKcFpDSTZJbU52YlM1aFkyMWxMb",
    "UpoYm1zaWZTeDdJbU5vWVc1dVpXd2lPaUptWVhndGJtY2lMQ0pwWkNJNklrRkRUVVVnUmtGWUlERWlmVjBzSW14c",
    "GJtdGZaRzl0WVdsdWN5STZXeUpoWTIxbExtVjRZVzF3YkdVaVhTd2libUptSWpveE56a3pNREExTWpBd0xDSmxlS",
    "EFpT2pFNE1qY3hNek15TURCOS42YlZlOXNYTFhNVlJOQjFURGJOYXdnT3ZLakxLcGNDQ2FoS1JVdXZsVTMzZVhpW",
    "lNoUUx5LUJnUkhsbXJPVmY2NDlXWDBXX0JqS3pzb2E0X09vUW5EZyIsInN1cGVyc2VkZWQiOlt7ImNyZWQiOiJrZ",
    "EU4dTY4X05CWWQwWlVMRXpKN1FhTUhiYWJFaWd4ZXgtTll2QzM1YVpFIiwidW50aWwiOjE3OTU1OTcyMDB9XSwia",
    "2V5cyI6W3siY3J2IjoiRWQyNTUxOSIsImt0eSI6Ik9LUCIsIngiOiI3VWtveGlqUndzYnE2UU00a0ZtVllTbFpKe",
    "nBjWV9rMk5zRkdGS3lITjlFIiwia2lkIjoiblJJRTJWbUtkTWpMMUpEN3RiVjdmWFZnWHhtdjBHS25NRldSVUpNV",
    "GY5USIsImFsZyI6IkVkMjU1MTkiLCJzdGF0ZSI6ImFjdGl2ZSIsIm5iZiI6MTc5MzAwNTIwMCwiZXhwIjoxODI3M",
    "TMzMjAwfSx7ImNydiI6IkVkMjU1MTkiLCJrdHkiOiJPS1AiLCJ4IjoieXBPc0Z3VVljSEhXZTRQSF93Ny1nUWpvN",
    "0VVd1YxMTNKb2VUTTl2YXZudyIsImtpZCI6ImQ4TWUzdUo4MmpoZHNDc3RXeVZNcjNfSTJ1ZWVUWUc1YWdNMS0yc",
    "jFfYlkiLCJhbGciOiJFZDI1NTE5Iiwic3RhdGUiOiJyZXRpcmluZyIsIm5iZiI6MTc3ODMxNzIwMCwiZXhwIjoxN",
    "zk4MTg5MjAwfSx7ImNydiI6IkVkMjU1MTkiLCJrdHkiOiJPS1AiLCJ4IjoiYm5vYzNTbXd0NF9ST3ZURldZX3Y5T",
    "zhxbHhadVBLYnk1UHY4ellCUVdfRSIsImtpZCI6IjBZdUNXNE45TEtQc08walBLS2dEWW8zSDdISDJMa2lUOFlMd",
    "UZHc2xaWEkiLCJhbGciOiJFZDI1NTE5Iiwic3RhdGUiOiJwZW5kaW5nIiwibmJmIjoxNzk1NTEwODAwLCJleHAiO",
    "jE4MzAxNTcyMDB9LHsiY3J2IjoiRWQyNTUxOSIsImt0eSI6Ik9LUCIsIngiOiJpb2RmX3g2emhGRlhlczFhX3VRR",
    "lJXVm8zWHlKNEpDR09nVlh2SHIwbnhjIiwia2lkIjoiRnhWaHVPX0lyODJ5ako4Rk1Jb1dwWHBOX0Jabi1sX0xjQ",
    "nFQc3BaZnpmayIsImFsZyI6IkVkMjU1MTkiLCJzdGF0ZSI6InJldm9rZWQiLCJuYmYiOjE3ODY5NTcyMDAsImV4c",
    "CI6MTgyMTUxNzIwMCwicmV2b2tlZF9hdCI6MTc5NTUxMDgwMH0seyJjcnYiOiJFZDI1NTE5Iiwia3R5IjoiT0tQI",
    "iwieCI6IjZrcHNZLUtjVWdxLTlWQjdFeTdGLVpWSGRxNi12bnVTUWg3cWFSUkcwaXciLCJraWQiOiItLTZJTTVsM",
    "E9vc0xqOXlXc2tJU1loVUEzbl8zQ1VSUWttcllNU2hhX2NrIiwiYWxnIjoiRWQyNTUxOSIsInN0YXRlIjoicmV0a",
    "XJlZCIsIm5iZiI6MTc2MTAzNzIwMCwiZXhwIjoxNzkyMTQxMjAwfSx7ImNydiI6IlAtMjU2Iiwia3R5IjoiRUMiL",
    "CJ4IjoiUmkyNkd1VDhHcGFMVGF6eUROMXR2aC11TktxWEZSU21QVFFGdzlIUDA0TSIsInkiOiJ0WXU3Q01FemcwS",
    "01XRlBISEV5RkhoTkxCV2doNUdqLUNwZDZ2ME1UM2VFIiwia2lkIjoiUTZpdHlKdzVoU0V4czFUdDFCdFRIWlYxV",
    "mxSSjZhN0N1ZUQ1VzFoRkxDTSIsImFsZyI6IkVTMjU2Iiwic3RhdGUiOiJhY3RpdmUiLCJuYmYiOjE3OTMwMDUyM",
    "DAsImV4cCI6MTgyNzEzMzIwMH1dfSx7ImNyZWRlbnRpYWwiOiJleUpoYkdjaU9pSkZaREkxTlRFNUlpd2lkSGx3S",
    "WpvaWFHRnNiRzFoY21zdFluSmhibVFyYW5kMElpd2lhMmxrSWpvaVlWWkNkR0Z3VEdReE1WTlZWa3RKVFVkS1psQ",
    "jZUMFZFZFU0d2MxaGpiWHBLVVU1V1ZDMWZjMHRGVlNKOS5leUoySWpveExDSnpkV0lpT2lKbmJHOWlaWGdpTENKd",
    "VlXMWxJam9pUjJ4dlltVjRJaXdpYkc5bmJ5STZleUp6YUdFeU5UWWlPaUpNUTJFd1lUSnFYM2h2WHpWdE1GVTRTR",
    "lJDUWs1Q1RrTk1XRUpyWnpjdFp5MVpjR1ZwUjBwdE5UWTBJaXdpZDJsa2RHZ2lPakkxTml3aWFHVnBaMmgwSWpve",
    "U5UWXNJblZ5YkNJNkltaDBkSEJ6T2k4dlkyUnVMbUZqYldVdVpYaGhiWEJzWlM5c2IyZHZMbkJ1WnlKOUxDSmpiM",
    "nh2Y25NaU9uc2ljSEpwYldGeWVTSTZJaU13UWpWR1JrWWlMQ0ppWVdOclozSnZkVzVrSWpvaUkwWkdSa1pHUmlKO",
    "UxDSnNaWFpsYkNJNkltOXlaMkZ1YVhwaGRHbHZiaUlzSW5ObGJtUmxjbk1pT2x0N0ltTm9ZVzV1Wld3aU9pSnpiW",
    "E1pTENKcFpDSTZJa2RNVDBKRldDSjlYU3dpYkdsdWExOWtiMjFoYVc1eklqcGJJbUZqYldVdVpYaGhiWEJzWlNKZ",
    "ExDSnVZbVlpT2pFM09UTXdNRFV5TURBc0ltVjRjQ0k2TVRneU56RXpNekl3TUgwLm1vSGRjemNObGNUV25yZWZKb",
    "zVjME5jcmtMLWFvMHFIN0N4aVRpTW5lRURidkppM1p6cVlCZXllNkxzd01FU01PbW9hSGExaDc4MG9xd1lKYXVSZ",
    "kRnIiwia2V5cyI6W3siY3J2IjoiRWQyNTUxOSIsImt0eSI6Ik9LUCIsIngiOiJFNWoyTEcwYVJYeFJ1bXBMWHoyO",
    "UwybjhxVElXSVkzSW1YNUJhOUY5azhvIiwia2lkIjoiRTkxNlhUakpDSzgydkFpYkVHR2hCM2xEVjd3QU52bExme",
    "GlDTlRxZm9fYyIsImFsZyI6IkVkMjU1MTkiLCJzdGF0ZSI6ImFjdGl2ZSIsIm5iZiI6MTc5MzAwNTIwMCwiZXhwI",
    "joxODI3MTMzMjAwfV19LHsiY3JlZGVudGlhbCI6ImV5SmhiR2NpT2lKRlpESTFOVEU1SWl3aWRIbHdJam9pYUdGc",
    "2JHMWhjbXN0WW5KaGJtUXJhbmQwSWl3aWEybGtJam9pWVZaQ2RHRndUR1F4TVZOVlZrdEpUVWRLWmxCNlQwVkVkV",
    "TR3YzFoamJYcEtVVTVXVkMxZmMwdEZWU0o5LmV5SjJJam94TENKemRXSWlPaUp2YkdSamJ5SXNJbTVoYldVaU9pS",
    "lBiR1JEYnlJc0lteHZaMjhpT25zaWMyaGhNalUySWpvaVRFTmhNR0V5YWw5NGIxODFiVEJWT0VoVVFrSk9RazVEV",
    "EZoQ2EyYzNMV2N0V1hCbGFVZEtiVFUyTkNJc0luZHBaSFJvSWpveU5UWXNJbWhsYVdkb2RDSTZNalUyTENKMWNtd",
    "2lPaUpvZEhSd2N6b3ZMMk5rYmk1aFkyMWxMbVY0WVcxd2JHVXZiRzluYnk1d2JtY2lmU3dpWTI5c2IzSnpJanA3S",
    "W5CeWFXMWhjbmtpT2lJak1FSTFSa1pHSWl3aVltRmphMmR5YjNWdVpDSTZJaU5HUmtaR1JrWWlmU3dpYkdWMlpXd",
    "2lPaUp2Y21kaGJtbDZZWFJwYjI0aUxDSnpaVzVrWlhKeklqcGJleUpqYUdGdWJtVnNJam9pYzIxeklpd2lhV1FpT",
    "2lKUFRFUkRUeUo5WFN3aWJHbHVhMTlrYjIxaGFXNXpJanBiSW1GamJXVXVaWGhoYlhCc1pTSmRMQ0p1WW1ZaU9qR",
    "TNPVE13TURVeU1EQXNJbVY0Y0NJNk1UZ3lOekV6TXpJd01IMC4tRHMxT29ualZoazJNVEY5M0VSa2RoSlFxeHAtT",
    "W5OZkpERndfX1QxRUpOSm1OaENHMno4eXJxSVpqRnM1WHpRRk5KMThsUUEzT0pfUGh0OUxzZ0xBQSIsImtleXMiO",
    "lt7ImNydiI6IkVkMjU1MTkiLCJrdHkiOiJPS1AiLCJ4IjoiUTZjdWNVUUJkaTMyYTJqQ2JmdmZKb0txN0o4a2RPe",
    "WtZVDVDU2ctNl9UdyIsImtpZCI6InI0dGhSbjhLZGhoZ0dEcnpPd21Td3lTcU1jWGVJZGQ5U0czMzNKLVpOdFUiL",
    "CJhbGciOiJFZDI1NTE5Iiwic3RhdGUiOiJhY3RpdmUiLCJuYmYiOjE3OTMwMDUyMDAsImV4cCI6MTgyNzEzMzIwM",
    "H1dfSx7ImNyZWRlbnRpYWwiOiJleUpoYkdjaU9pSkZaREkxTlRFNUlpd2lkSGx3SWpvaWFHRnNiRzFoY21zdFluS",
    "mhibVFyYW5kMElpd2lhMmxrSWpvaVlWWkNkR0Z3VEdReE1WTlZWa3RKVFVkS1psQjZUMFZFZFU0d2MxaGpiWHBLV",
    "VU1V1ZDMWZjMHRGVlNKOS5leUoySWpveExDSnpkV0lpT2lKbGVIQmpieUlzSW01aGJXVWlPaUpGZUhCRGJ5SXNJb",
    "Xh2WjI4aU9uc2ljMmhoTWpVMklqb2lURU5oTUdFeWFsOTRiMTgxYlRCVk9FaFVRa0pPUWs1RFRGaENhMmMzTFdjd",
    "FdYQmxhVWRLYlRVMk5DSXNJbmRwWkhSb0lqb3lOVFlzSW1obGFXZG9kQ0k2TWpVMkxDSjFjbXdpT2lKb2RIUndje",
    "m92TDJOa2JpNWhZMjFsTG1WNFlXMXdiR1V2Ykc5bmJ5NXdibWNpZlN3aVkyOXNiM0p6SWpwN0luQnlhVzFoY25ra",
    "U9pSWpNRUkxUmtaR0lpd2lZbUZqYTJkeWIzVnVaQ0k2SWlOR1JrWkdSa1lpZlN3aWJHVjJaV3dpT2lKdmNtZGhib",
    "Ww2WVhScGIyNGlMQ0p6Wlc1a1pYSnpJanBiZXlKamFHRnVibVZzSWpvaWMyMXpJaXdpYVdRaU9pSkZXRkJEVHlKO",
    "VhTd2liR2x1YTE5a2IyMWhhVzV6SWpwYkltRmpiV1V1WlhoaGJYQnNaU0pkTENKdVltWWlPakUzTmpFd016Y3lNR",
    "EFzSW1WNGNDSTZNVGM1TlRVeE1EZ3dNSDAuRlpJNlNpWUhOY2d2Q1JYc2h4RDdJS2swLVhDS0VJSkJzN1otU2tXT",
    "EQ5UHFrTnF3ZlA2V24tWXRxMjB4V1F5ZmZINFFoX0FKRG42cmY4dDFOd1psQmciLCJrZXlzIjpbeyJjcnYiOiJFZ",
    "DI1NTE5Iiwia3R5IjoiT0tQIiwieCI6IkMxRTYyYlNTUUJYS0NRTHRCNUJFMDZ4ZHZzSXdid2FVakJEYWpyYmpue",
    "TAiLCJraWQiOiItWTRFOVRNbTZSSFhkRU1WMkZSUktKaUZORl9nb2JKbnJMNHdOaERRSFg4IiwiYWxnIjoiRWQyN",
    "TUxOSIsInN0YXRlIjoiYWN0aXZlIiwibmJmIjoxNzY5Njc3MjAwLCJleHAiOjE4MjcxMzMyMDB9XX1dLCJyZXZva",
    "2VkX2JyYW5kcyI6W3siaWQiOiJvbGRjbyIsInJldm9rZWRfYXQiOjE3OTU0MjQ0MDB9XX0.aWwQlWScUvZ_3-eWL",
    "yuRx5FKbCYxZU8yeTCAMjDx59oV_F4U1HpRnqXH9asywvTZo99VNDxZ4xEEJ7zD1KYwCg",
};

static hallmark_verifier *verifier;
static hm_signkey *brand_key;

static void
setup(void)
{
    size_t i, len = 0, n = sizeof bundle_parts / sizeof bundle_parts[0];
    const char *roots[1] = {vector_root};
    unsigned char state[HALLMARK_TRUST_STATE_MAX];
    size_t state_len = 0;
    char *bundle;

    for (i = 0; i < n; i++) {
        len += strlen(bundle_parts[i]);
    }
    bundle = malloc(len + 1);
    if (bundle == NULL) {
        abort();
    }
    for (i = 0, len = 0; i < n; i++) {
        size_t part = strlen(bundle_parts[i]);
        memcpy(bundle + len, bundle_parts[i], part);
        len += part;
    }
    bundle[len] = '\0';
    if (hallmark_verifier_create(&verifier, "Hallmark Vectors", roots, 1, 1) != HALLMARK_OK ||
        hallmark_verifier_load(verifier, (const unsigned char *)bundle, len, NULL, 0, VECTOR_NOW,
                               state, sizeof state, &state_len, NULL) != HALLMARK_OK) {
        abort();
    }
    free(bundle);
    brand_key = vector_key(VECTOR_ACME_KEY_SEED);
}

/* A member of the message line as a C string, or the default when absent or not a string. */
static const char *
member(const json_t *msg, const char *name, const char *fallback)
{
    const char *s = msg != NULL ? hm_json_string(msg, name, NULL) : NULL;

    return s != NULL ? s : fallback;
}

static size_t
bounded_len(const char *s, size_t cap)
{
    const char *end = memchr(s, '\0', cap);

    return end != NULL ? (size_t)(end - s) : cap;
}

/* What a VERIFIED verdict promises the app: every text terminated and its fields in range. */
static void
check_verified(const hallmark_verification *out)
{
    size_t i;

    if (out->detail == NULL || bounded_len(out->brand_id, sizeof out->brand_id) == 0 ||
        bounded_len(out->brand_id, sizeof out->brand_id) == sizeof out->brand_id ||
        bounded_len(out->display_name, sizeof out->display_name) == sizeof out->display_name ||
        bounded_len(out->logo_url, sizeof out->logo_url) == sizeof out->logo_url ||
        bounded_len(out->agent_name, sizeof out->agent_name) == sizeof out->agent_name ||
        bounded_len(out->conversation_id, sizeof out->conversation_id) ==
            sizeof out->conversation_id ||
        bounded_len(out->key_id, sizeof out->key_id) == sizeof out->key_id ||
        bounded_len(out->token_id, sizeof out->token_id) == sizeof out->token_id ||
        (strcmp(out->alg, "Ed25519") != 0 && strcmp(out->alg, "ES256") != 0) ||
        out->action_count > HALLMARK_MAX_ACTIONS || out->expires_at < out->issued_at) {
        abort();
    }
    for (i = 0; i < out->action_count; i++) {
        if (bounded_len(out->actions[i].label, sizeof out->actions[i].label) ==
                sizeof out->actions[i].label ||
            bounded_len(out->actions[i].url, sizeof out->actions[i].url) ==
                sizeof out->actions[i].url) {
            abort();
        }
    }
}

static void
verify_twice(const hallmark_message *m)
{
    hallmark_verification first, again;
    hallmark_result rc = hallmark_verify(verifier, m, VECTOR_NOW, &first);

    if (rc != first.code || first.detail == NULL ||
        hallmark_verify(verifier, m, VECTOR_NOW, &again) != rc) {
        abort();
    }
    if (rc == HALLMARK_VERIFIED) {
        check_verified(&first);
        if (strcmp(first.brand_id, again.brand_id) != 0 ||
            strcmp(first.key_id, again.key_id) != 0) {
            abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size), *tok = data;
    size_t tok_len = size, body_len;
    json_t *msg = NULL;
    char *token = NULL, *signed_token = NULL;
    const char *body;
    hallmark_message m = {.channel = NULL};

    if (verifier == NULL) {
        setup();
    }
    if (nl != NULL) {
        if (hm_json_parse_object(data, (size_t)(nl - data), MESSAGE_LINE_MAX, 4, &msg) !=
            HALLMARK_OK) {
            msg = NULL;
        }
        tok = nl + 1;
        tok_len = size - (size_t)(tok - data);
    }
    if (tok_len > 0 && tok[0] == '{') {
        if (hm_jws_sign_raw(brand_key, token_header, sizeof token_header - 1, (const char *)tok,
                            tok_len, &signed_token) != HALLMARK_OK) {
            json_decref(msg);
            return 0;
        }
        tok = (const uint8_t *)signed_token;
        tok_len = strlen(signed_token);
    }
    /* An exact-size copy, without a terminator: the library must keep to token_len. */
    token = malloc(tok_len > 0 ? tok_len : 1);
    if (token == NULL) {
        free(signed_token);
        json_decref(msg);
        return 0;
    }
    if (tok_len > 0) {
        memcpy(token, tok, tok_len);
    }
    body = member(msg, "body", vector_body);
    body_len = msg != NULL && hm_json_string(msg, "body", NULL) != NULL
                   ? json_string_length(json_object_get(msg, "body"))
                   : strlen(vector_body);
    m.channel = member(msg, "channel", "sms");
    m.from = member(msg, "from", "ACMEBANK");
    m.to = member(msg, "to", "+447700900123");
    m.body = (const unsigned char *)body;
    m.body_len = body_len;
    m.token = token;
    m.token_len = tok_len;
    verify_twice(&m);
    free(token);
    free(signed_token);
    json_decref(msg);
    return 0;
}
