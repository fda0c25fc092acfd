/* proxy.h: spproxy's state, shared by the event loop (spproxy.c) and the
 * control protocol (control.c). */
#ifndef SP_PROXY_PROXY_H
#define SP_PROXY_PROXY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "flow.h"

#define DIR_UP 0   /* upstream: client to server */
#define DIR_DOWN 1 /* downstream: server to client */

/* What an epoll event's data pointer refers to. */
typedef enum { EP_LISTEN, EP_CONTROL_LISTEN, EP_SIGNAL, EP_CONTROL, EP_CLIENT, EP_SERVER } ep_type;

typedef struct endpoint {
  ep_type type;
  void *owner; /* conn or control client */
  uint32_t events; /* current epoll interest, to skip no-op EPOLL_CTL_MOD */
  int registered;
  int retired; /* removed from epoll for good (see on_conn_event) */
} endpoint;

typedef struct conn {
  struct conn *prev, *next;
  uint64_t id;
  int client_fd, server_fd;
  int connecting; /* non-blocking connect to upstream in progress */
  flow up, down;
  endpoint ep_client, ep_server;
  int closing; /* marked for removal at the end of the loop iteration */
} conn;

typedef struct control_client {
  struct control_client *prev, *next;
  int fd;
  endpoint ep;
  char in[1024];
  size_t in_len;
  int closing;
} control_client;

typedef struct proxy {
  int epfd, listen_fd, control_fd, signal_fd;
  endpoint ep_listen, ep_control, ep_signal;
  struct sockaddr_storage upstream;
  socklen_t upstream_len;
  char *control_path;
  conn *conns;
  control_client *controls;
  toxics tox[2];
  uint64_t refuse_until_ns; /* new connections are reset until then */
  uint64_t rng;
  /* counters for `stats` */
  uint64_t next_id, accepted, refused, resets, upstream_failures, open_conns;
  uint64_t bytes[2];
  int stop;
} proxy;

/* Resets (RST) every open connection; returns how many. */
int proxy_reset_all(proxy *p);

/* Runs one control command line; writes the reply line (no newline). */
void control_execute(proxy *p, const char *line, char *reply, size_t cap, uint64_t now_ns);

#endif
