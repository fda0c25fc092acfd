/* proxy_client.h: talking to spproxy's control socket (faults/proxy/).
 *
 * The protocol is one command line per request and one reply line,
 * "ok ..." or "error <why>" (faults/proxy/README.md lists the commands).
 * Used by the executor for net faults; the orchestrator can use it for
 * `stats` at the end of a run. */
#ifndef SP_FAULTS_PROXY_CLIENT_H
#define SP_FAULTS_PROXY_CLIENT_H

#include <stddef.h>

/* Connects to the UNIX socket at control_path, sends cmd, reads the reply
 * line into reply (without the newline). Returns 0 for "ok...", -1 for an
 * "error ..." reply (err holds it) or when the proxy cannot be reached or
 * does not answer within timeout_ms. */
int sp_proxy_command(const char *control_path, const char *cmd, int timeout_ms, char *reply,
                     size_t reply_cap, char *err, size_t err_cap);

#endif
