/* group_coordinator.h: consumer groups (JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup) and the generation checks of OffsetCommit.
 *
 * The broker only coordinates; the client group leader assigns partitions.
 * States, as in Kafka and librdkafka's mock:
 *
 *            join                      all members rejoined, or the
 *   EMPTY ─────────► JOINING ─────────  rebalance timeout / initial delay
 *     ▲               ▲    ▲          │ passed: generation++, leader chosen,
 *     │ last member   │    │          ▼ joins answered (leader gets members)
 *     │ leaves/dies   │    └──────── SYNCING ── leader's SyncGroup ──► UP
 *     └───────────────┴─ join, leave,   (a join, leave, expiry, or sync    │
 *                        expiry ◄───────  timeout sends it back to JOINING)┘
 *
 * JoinGroup and SyncGroup responses are held (their slots block the
 * connection) until the phase completes; a held response whose connection
 * closes is dropped, and its member counts as not rejoined. A member that
 * sends nothing for its session timeout is evicted and the group
 * rebalances. */
#ifndef REFBROKER_GROUP_COORDINATOR_H
#define REFBROKER_GROUP_COORDINATOR_H

#include <stdint.h>

#include "kcodec.h"
#include "messages.h"

typedef struct server server;
typedef struct group_coordinator group_coordinator;
typedef struct request request;

group_coordinator *group_coordinator_create(server *srv);
/* Answers nothing further; frees every group (shutdown). */
void group_coordinator_free(group_coordinator *gc);

/* The four group APIs: each answers or holds rq's slot. */
void group_join(group_coordinator *gc, request *rq, const join_group_request *req);
void group_sync(group_coordinator *gc, request *rq, const sync_group_request *req);
int16_t group_heartbeat(group_coordinator *gc, const heartbeat_request *req);
int16_t group_leave(group_coordinator *gc, const leave_group_request *req, const char *peer);

/* May this OffsetCommit be stored? KERR_NONE for a member of the current
 * generation (group UP or JOINING) or a simple commit (generation -1, no
 * member) to a group without members; else UNKNOWN_MEMBER_ID,
 * ILLEGAL_GENERATION or REBALANCE_IN_PROGRESS. */
int16_t group_check_commit(group_coordinator *gc, kslice group, int32_t generation, kslice member);

#endif
