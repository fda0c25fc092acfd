/* connection.h: one client TCP connection: framing, the ordered response
 * queue, output with writev, and backpressure.
 *
 * Framing (every Kafka request and response):
 *
 *   +----------------+-----------------------------------+
 *   | size: int32 BE | size bytes: header + body         |
 *   +----------------+-----------------------------------+
 *
 * A size below the smallest request header (8 bytes), above
 * --max-request-bytes, or negative is logged with the peer's address and
 * closes this connection only.
 *
 * Responses go out in request order. Each request gets a slot in the
 * connection's queue when it is read; a slot is "ready" once its response
 * bytes are complete. Only the ready slots at the head of the queue are
 * written, so a Produce waiting for the group commit delays the responses
 * behind it but never reorders them. A slot that "blocks" (a parked
 * long-poll Fetch, JoinGroup or SyncGroup) also stops the processing of the
 * requests after it until it completes, as Kafka and librdkafka's mock do.
 *
 * Backpressure: while a connection's unsent output exceeds CONN_OUT_HIGH
 * bytes, no more requests are processed from it and its socket is not read;
 * reading resumes when the output drains. */
#ifndef REFBROKER_CONNECTION_H
#define REFBROKER_CONNECTION_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "event_loop.h"

#define CONN_OUT_HIGH (16u << 20) /* stop reading above this much unsent output */
#define CONN_IN_HIGH (4u << 20)   /* buffered unprocessed input beyond the frame in progress */

typedef struct server server;
typedef struct conn conn;
typedef struct resp_slot resp_slot;

/* One response in a connection's queue. */
struct resp_slot {
  resp_slot *next, *prev;
  conn *c;
  int16_t api_key;
  int16_t api_version;
  int32_t correlation_id;
  int ready;  /* out holds the complete response */
  int blocks; /* parked: later requests of this connection wait */
  sp_buf out; /* [size][correlation id][body]; size patched by slot_complete */
  arena mem;  /* the decoded request (and its copied body while parked) */
  /* While pending: called if the connection closes first, so whoever holds
   * the slot (group commit, fetch waiters, group coordinator) forgets it. */
  void (*cancel)(resp_slot *s);
  void *pending; /* the holder's state */
};

struct conn {
  el_io io;
  server *srv;
  uint64_t id;
  char peer[64]; /* "127.0.0.1:54321", for log lines */
  sp_buf in;     /* bytes read, not yet consumed */
  size_t in_pos; /* start of the first unprocessed frame in `in` */
  resp_slot *head, *tail;
  size_t head_sent;   /* bytes of head->out already written */
  size_t out_pending; /* unsent bytes of ready slots */
  int blocked;        /* a blocking slot is pending */
  int closing;        /* closed; freed at the end of the pass */
  int read_eof;       /* the peer shut down its side */
  int want_write;     /* the socket refused output: wait for EPOLLOUT */
  int in_flush_list;
  int in_run_list;
  conn *next_flush;
  conn *next_run;
  conn *next_dead;
  conn *prev_all, *next_all;
  uint64_t requests;
};

/* Wraps an accepted, non-blocking socket; registers it with the loop.
 * Returns NULL (and closes fd) if epoll refuses it. */
conn *conn_create(server *srv, int fd, const char *peer);

/* Closes the socket now (cancelling pending slots) and queues the struct to
 * be freed at the end of the pass. `why` is logged with the peer (NULL: the
 * close is unremarkable and logged at debug level). */
void conn_close(conn *c, const char *why);

/* Frees a closed connection (server, at the end of a pass). */
void conn_free(conn *c);

/* Processes complete buffered requests until the input is exhausted, the
 * connection blocks, or the output exceeds CONN_OUT_HIGH. */
void conn_process_input(conn *c);

/* Writes ready responses from the head of the queue (writev). Returns 0, or
 * -1 if the connection was closed. */
int conn_flush(conn *c);

/* Appends a new slot for a request to the tail of the queue, with the
 * response header (size placeholder, correlation id) already written. */
resp_slot *slot_new(conn *c, int16_t api_key, int16_t api_version, int32_t correlation_id);

/* The response in s->out is complete: patches its size, frees the request
 * arena, marks it ready, unblocks the connection if it was blocking, and
 * schedules a flush. */
void slot_complete(resp_slot *s);

/* Removes the tail slot without a response (Produce with acks=0). */
void slot_drop_tail(conn *c, resp_slot *s);

/* Marks the tail slot pending: `cancel` runs if the connection closes first.
 * blocks != 0 also stops processing later requests until slot_complete. */
void slot_park(resp_slot *s, void (*cancel)(resp_slot *s), void *pending, int blocks);

#endif
