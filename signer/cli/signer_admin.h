/* hallmark-signer's offline commands (signer_admin.c): audit verify, client add. */
#ifndef SIGNER_ADMIN_H
#define SIGNER_ADMIN_H

/* argv[1] is "audit" or "client"; the exit status (0 done, 1 a log that does not verify, 2 usage
 * or I/O error). */
int signer_admin(int argc, char **argv);

#endif
