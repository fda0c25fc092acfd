/* flow.h: one direction of one proxied TCP connection, and the toxics that
 * shape it.
 *
 * Bytes read from the source socket become chunks in a FIFO queue; each
 * chunk is stamped with the time it may be delivered (now + latency +
 * jitter, never earlier than the chunk before it, so order is preserved
 * however the jitter falls). flow_pump() writes what is due to the
 * destination socket, limited by the bandwidth bucket and cut into slices
 * with a pause between them by the slicer, and writes nothing while the
 * direction is blackholed (the bytes stay queued and are delivered when
 * the blackhole heals, like TCP retransmitting across a healed partition).
 * The queue is capped (FLOW_QUEUE_CAP): past it the proxy stops reading
 * the source, so a slow or blackholed direction pushes back on the sender
 * through TCP flow control instead of growing memory. */
#ifndef SP_PROXY_FLOW_H
#define SP_PROXY_FLOW_H

#include <stddef.h>
#include <stdint.h>

#define FLOW_QUEUE_CAP (1u << 20) /* bytes held per direction before reads stop */
#define FLOW_READ_BYTES 65536     /* largest read */

/* The toxics of one direction, shared by every connection. Zero = off. */
typedef struct toxics {
  long latency_ms, jitter_ms;
  long rate_bytes_per_s;
  long slice_bytes, slice_delay_us;
  int blackhole;
  uint64_t blackhole_until_ns; /* 0: until cleared */
} toxics;

typedef struct chunk {
  struct chunk *next;
  uint64_t due_ns;
  size_t len, off;
  uint8_t data[];
} chunk;

typedef struct flow {
  int src_fd, dst_fd;
  chunk *head, *tail;
  size_t queued;          /* bytes in the queue */
  uint64_t last_due_ns;   /* due time of the newest chunk (order preservation) */
  uint64_t next_write_ns; /* slicer pause: no write before this */
  double tokens;          /* bandwidth bucket, bytes */
  uint64_t tokens_ns;     /* when the bucket was last refilled */
  int src_eof;            /* the source sent FIN */
  int dst_shut;           /* FIN forwarded (shutdown SHUT_WR) */
  int dst_blocked;        /* last write hit EAGAIN: wait for EPOLLOUT */
  uint64_t bytes;         /* delivered */
} flow;

typedef enum { FLOW_OK, FLOW_ERROR } flow_status;

/* Reads once from src_fd into the queue (EOF sets src_eof). FLOW_ERROR on a
 * read error (ECONNRESET...). `rng` is the proxy's jitter random state. */
flow_status flow_read(flow *f, const toxics *t, uint64_t now_ns, uint64_t *rng);

/* Writes what is due. Returns FLOW_ERROR if the destination failed. Sets
 * *wake_ns to the earliest time pumping should be retried (UINT64_MAX for
 * no timer need: waiting for data or for EPOLLOUT). */
flow_status flow_pump(flow *f, const toxics *t, uint64_t now_ns, uint64_t *wake_ns);

/* 1 if the source should be polled for reading. */
int flow_wants_read(const flow *f);
/* 1 when this direction is finished: EOF seen, queue empty, FIN sent. */
int flow_done(const flow *f);

void flow_free(flow *f);

#endif
