/* server.h: the broker process: listener, connections, storage, and the
 * end-of-pass work that ties them together.
 *
 * The end of every event-loop pass (server_pass_end) is where durability and
 * waiting meet:
 *
 *   1. process connections that became runnable (a blocked request completed
 *      and later requests are buffered)
 *   2. group commit: under --fsync always, one store_sync() covers every
 *      append and offset commit of this pass; then the held Produce and
 *      OffsetCommit responses are released (or failed, if their data did not
 *      survive the sync)
 *   3. wake long-poll Fetches whose partitions gained visible data
 *   4. write every connection's ready responses (one writev each) */
#ifndef REFBROKER_SERVER_H
#define REFBROKER_SERVER_H

#include <stdint.h>

#include "connection.h"
#include "event_loop.h"
#include "options.h"
#include "storage/store.h"

typedef struct group_coordinator group_coordinator;
typedef struct pending_ack pending_ack;
typedef struct fetch_waiter fetch_waiter;

struct server {
  const broker_options *opts;
  event_loop *loop;
  store *st;
  group_coordinator *groups;
  el_io listener;
  el_io signals;
  char advertised_host[256];
  int32_t advertised_port;
  uint64_t next_conn_id;
  conn *conns;          /* every open connection */
  int n_conns;
  conn *flush_list;     /* connections with responses to write */
  conn *run_list;       /* connections with buffered requests to process */
  conn *dead_list;      /* closed connections, freed at the end of the pass */
  pending_ack *acks;    /* responses waiting for the group commit */
  pending_ack *acks_tail;
  fetch_waiter *waiters; /* parked long-poll Fetches */
  int data_arrived;     /* some partition's high watermark moved this pass */
  int retention_changed;
  el_timer fsync_timer;
  el_timer retention_timer;
  el_timer accept_timer; /* re-enables accept after EMFILE */
  uint64_t sync_count;
  uint64_t sync_ns_total;
};

/* Opens storage, binds the listener and prints "refbroker listening on
 * HOST:PORT". Returns NULL with a log line on failure. */
server *server_create(const broker_options *opts);
/* Runs until SIGTERM/SIGINT. Returns 0 on a clean stop. */
int server_run(server *srv);
/* Closes every connection, syncs and closes storage, frees everything. */
void server_free(server *srv);

/* Wall-clock milliseconds (Kafka timestamps). */
int64_t server_now_ms(void);

/* ---- called by connections and API handlers ---------------------------- */
void server_schedule_flush(server *srv, conn *c);
void server_schedule_run(server *srv, conn *c);

/* A held response that must wait for the group commit: after the next
 * store_sync(), fn(state, sync_ok) completes it. The ack is cancelled (fn
 * never called) if its slot's connection closes first. */
struct pending_ack {
  pending_ack *next, *prev;
  resp_slot *slot;
  void (*complete)(pending_ack *a, int sync_failures);
};
void server_hold_for_sync(server *srv, pending_ack *a, resp_slot *slot,
                          void (*complete)(pending_ack *a, int sync_failures));

/* Records that a partition's visible data may have changed (wakes fetches). */
void server_note_data(server *srv);

#endif
