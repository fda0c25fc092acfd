/* group_coordinator.c: see group_coordinator.h for the state machine. */
#include "group_coordinator.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "mem.h"
#include "protocol.h"
#include "request.h"
#include "server.h"
#include "sp_assert.h"

#define SESSION_TIMEOUT_MIN_MS 1000
#define SESSION_TIMEOUT_MAX_MS 3600000
#define GROUP_MAX_MEMBERS 1000

typedef enum { GROUP_EMPTY, GROUP_JOINING, GROUP_SYNCING, GROUP_UP } group_state;

typedef struct member_protocol {
  char *name;
  uint8_t *metadata;
  int32_t metadata_len;
} member_protocol;

typedef struct group group;

typedef struct member {
  el_timer session_timer; /* first: the timer callback finds the member */
  struct member *next;
  group *g;
  char *id;
  char *instance_id; /* NULL unless static membership (informational only) */
  int32_t session_timeout_ms;
  int32_t rebalance_timeout_ms;
  int n_protocols;
  member_protocol *protocols;
  resp_slot *join_slot; /* held JoinGroup */
  resp_slot *sync_slot; /* held SyncGroup */
  uint8_t *assignment;
  int32_t assignment_len;
} member;

struct group {
  el_timer timer; /* first: phase deadline (join end, sync deadline) */
  group *next;
  group_coordinator *gc;
  char *id;
  size_t id_len;
  group_state state;
  int32_t generation;
  char *protocol_type;
  char *protocol_name;
  char *leader; /* a member's id (owned copy) */
  member *members; /* in join order */
  int n_members;
  int initial_delay; /* JOINING began from Empty: wait for more members */
  uint64_t join_started_ns;
};

struct group_coordinator {
  server *srv;
  group *groups;
  uint64_t member_seq;
};

static uint64_t ms_to_ns(int64_t ms) { return (uint64_t)ms * 1000000ull; }

static char *dup_slice(kslice s) {
  return s.len < 0 ? NULL : sp_strndup((const char *)s.ptr, (size_t)s.len);
}

static int slice_is(kslice s, const char *str) { return str && kslice_eq(s, str); }

group_coordinator *group_coordinator_create(server *srv) {
  group_coordinator *gc = sp_calloc(1, sizeof *gc);
  gc->srv = srv;
  return gc;
}

static group *group_find(group_coordinator *gc, kslice id) {
  for (group *g = gc->groups; g; g = g->next)
    if (g->id_len == (size_t)id.len && memcmp(g->id, id.ptr, g->id_len) == 0) return g;
  return NULL;
}

static void on_group_timer(el_timer *t);
static void on_session_timeout(el_timer *t);

static group *group_create(group_coordinator *gc, kslice id) {
  group *g = sp_calloc(1, sizeof *g);
  g->gc = gc;
  g->id = dup_slice(id);
  g->id_len = (size_t)id.len;
  el_timer_init(&g->timer, on_group_timer);
  g->next = gc->groups;
  gc->groups = g;
  return g;
}

static member *member_find(group *g, kslice id) {
  if (!g) return NULL;
  for (member *m = g->members; m; m = m->next)
    if (slice_is(id, m->id)) return m;
  return NULL;
}

static void member_free_protocols(member *m) {
  for (int i = 0; i < m->n_protocols; i++) {
    free(m->protocols[i].name);
    free(m->protocols[i].metadata);
  }
  free(m->protocols);
  m->protocols = NULL;
  m->n_protocols = 0;
}

/* (Re)starts a member's session clock: it must send something within its
 * session timeout. Not while a response of its is held (its connection
 * cannot send heartbeats then). */
static void member_touch(member *m) {
  event_loop *el = m->g->gc->srv->loop;
  if (m->join_slot || m->sync_slot) {
    el_timer_cancel(el, &m->session_timer);
    return;
  }
  el_timer_arm(el, &m->session_timer, sp_mono_ns() + ms_to_ns(m->session_timeout_ms));
}

/* ---- answering held responses ----------------------------------------- */

static void answer_join(member *m, const join_group_response *resp) {
  resp_slot *s = m->join_slot;
  m->join_slot = NULL;
  join_group_response_encode(&s->out, s->api_version, resp);
  slot_complete(s);
}

static void answer_join_error(member *m, int16_t error) {
  join_group_response resp = {.error = error, .generation_id = -1, .protocol_name = "",
                              .leader = "", .member_id = m->id};
  answer_join(m, &resp);
}

static void answer_sync(member *m, int16_t error) {
  resp_slot *s = m->sync_slot;
  m->sync_slot = NULL;
  sync_group_response_encode(&s->out, s->api_version, error, error ? NULL : m->assignment,
                             error ? 0 : m->assignment_len);
  slot_complete(s);
}

/* Held responses whose connection closed: forget them (the member counts as
 * not rejoined) and let its session clock run again. */
static void join_cancel(resp_slot *s) {
  member *m = s->pending;
  m->join_slot = NULL;
  member_touch(m);
}

static void sync_cancel(resp_slot *s) {
  member *m = s->pending;
  m->sync_slot = NULL;
  member_touch(m);
}

/* ---- membership changes ------------------------------------------------- */

static void member_remove(member *m, const char *why) {
  group *g = m->g;
  sp_info("group %s: member %s removed (%s); %d member(s) left", g->id, m->id, why, g->n_members - 1);
  if (m->join_slot) answer_join_error(m, KERR_UNKNOWN_MEMBER_ID);
  if (m->sync_slot) answer_sync(m, KERR_UNKNOWN_MEMBER_ID);
  el_timer_cancel(g->gc->srv->loop, &m->session_timer);
  for (member **pp = &g->members; *pp; pp = &(*pp)->next)
    if (*pp == m) {
      *pp = m->next;
      break;
    }
  g->n_members--;
  if (g->leader && strcmp(g->leader, m->id) == 0) {
    free(g->leader);
    g->leader = NULL;
  }
  member_free_protocols(m);
  free(m->id);
  free(m->instance_id);
  free(m->assignment);
  free(m);
}

static int32_t max_rebalance_timeout_ms(const group *g) {
  int32_t t = 0;
  for (const member *m = g->members; m; m = m->next)
    if (m->rebalance_timeout_ms > t) t = m->rebalance_timeout_ms;
  return t > 0 ? t : 60000;
}

/* Enters JOINING: everyone must rejoin. Held syncs are told to rejoin. */
static void start_joining(group *g, const char *reason) {
  event_loop *el = g->gc->srv->loop;
  for (member *m = g->members; m; m = m->next)
    if (m->sync_slot) {
      answer_sync(m, KERR_REBALANCE_IN_PROGRESS);
      member_touch(m);
    }
  g->initial_delay = g->state == GROUP_EMPTY;
  g->state = GROUP_JOINING;
  g->join_started_ns = sp_mono_ns();
  uint64_t wait_ms = g->initial_delay ? (uint64_t)g->gc->srv->opts->group_initial_rebalance_delay_ms
                                      : (uint64_t)max_rebalance_timeout_ms(g);
  el_timer_arm(el, &g->timer, g->join_started_ns + ms_to_ns((int64_t)wait_ms));
  sp_info("group %s: rebalancing (%s), generation %d, %d member(s)", g->id, reason, g->generation,
          g->n_members);
}

/* Chooses the protocol every member supports, by vote (each member votes
 * for its most preferred common protocol; ties go to the earlier one in the
 * first member's list). NULL if there is none. */
static const char *choose_protocol(const group *g) {
  const member *first = g->members;
  int best_votes = 0;
  const char *best = NULL;
  for (int i = 0; i < first->n_protocols; i++) {
    const char *cand = first->protocols[i].name;
    int common = 1;
    for (const member *m = g->members; m && common; m = m->next) {
      int has = 0;
      for (int k = 0; k < m->n_protocols; k++) has |= strcmp(m->protocols[k].name, cand) == 0;
      common = has;
    }
    if (!common) continue;
    int votes = 0;
    for (const member *m = g->members; m; m = m->next) {
      /* m's first protocol that is common to all */
      for (int k = 0; k < m->n_protocols; k++) {
        const char *p = m->protocols[k].name;
        int all = 1;
        for (const member *o = g->members; o && all; o = o->next) {
          int has = 0;
          for (int j = 0; j < o->n_protocols; j++) has |= strcmp(o->protocols[j].name, p) == 0;
          all = has;
        }
        if (all) {
          votes += strcmp(p, cand) == 0;
          break;
        }
      }
    }
    if (votes > best_votes) {
      best_votes = votes;
      best = cand;
    }
  }
  return best;
}

static const member_protocol *member_protocol_named(const member *m, const char *name) {
  for (int i = 0; i < m->n_protocols; i++)
    if (strcmp(m->protocols[i].name, name) == 0) return &m->protocols[i];
  return NULL;
}

/* Ends JOINING: members that did not rejoin are removed, the generation
 * moves on, and every held join is answered (the leader gets the list). */
static void complete_join(group *g) {
  event_loop *el = g->gc->srv->loop;
  el_timer_cancel(el, &g->timer);
  for (member *m = g->members; m;) {
    member *next = m->next;
    if (!m->join_slot) member_remove(m, "did not rejoin during the rebalance");
    m = next;
  }
  g->generation++;
  if (!g->n_members) {
    g->state = GROUP_EMPTY;
    sp_info("group %s: empty at generation %d", g->id, g->generation);
    return;
  }
  const char *proto = choose_protocol(g);
  if (!proto) {
    while (g->members) {
      member *m = g->members;
      answer_join_error(m, KERR_INCONSISTENT_GROUP_PROTOCOL);
      member_remove(m, "no protocol common to all members");
    }
    g->state = GROUP_EMPTY;
    return;
  }
  char *chosen = sp_strdup(proto);
  free(g->protocol_name);
  g->protocol_name = chosen;
  if (!g->leader) g->leader = sp_strdup(g->members->id);
  g->state = GROUP_SYNCING;
  for (member *m = g->members; m; m = m->next) {
    free(m->assignment);
    m->assignment = NULL;
    m->assignment_len = 0;
  }
  join_group_member *list = sp_calloc((size_t)g->n_members, sizeof *list);
  int i = 0;
  for (member *m = g->members; m; m = m->next, i++) {
    const member_protocol *mp = member_protocol_named(m, g->protocol_name);
    list[i] = (join_group_member){m->id, m->instance_id, mp->metadata, mp->metadata_len};
  }
  for (member *m = g->members; m; m = m->next) {
    int is_leader = strcmp(m->id, g->leader) == 0;
    join_group_response resp = {
        .error = KERR_NONE, .generation_id = g->generation, .protocol_name = g->protocol_name,
        .leader = g->leader, .member_id = m->id,
        .n_members = is_leader ? g->n_members : 0, .members = is_leader ? list : NULL,
    };
    answer_join(m, &resp);
    member_touch(m);
  }
  free(list);
  el_timer_arm(el, &g->timer, sp_mono_ns() + ms_to_ns(max_rebalance_timeout_ms(g)));
  sp_info("group %s: generation %d with %d member(s), leader %s, protocol %s", g->id,
          g->generation, g->n_members, g->leader, g->protocol_name);
}

/* JOINING may end early once every member has rejoined (not during the
 * initial delay of a new group, which waits for more members to arrive). */
static void maybe_complete_join(group *g) {
  if (g->state != GROUP_JOINING || g->initial_delay) return;
  for (member *m = g->members; m; m = m->next)
    if (!m->join_slot) return;
  complete_join(g);
}

/* A member is gone (left, expired): the others must rebalance. */
static void after_member_gone(group *g) {
  if (!g->n_members) {
    el_timer_cancel(g->gc->srv->loop, &g->timer);
    if (g->state != GROUP_EMPTY) g->generation++;
    g->state = GROUP_EMPTY;
    return;
  }
  if (g->state == GROUP_UP || g->state == GROUP_SYNCING) start_joining(g, "a member left");
  else if (g->state == GROUP_JOINING) maybe_complete_join(g);
}

static void on_group_timer(el_timer *t) {
  group *g = (group *)t;
  if (g->state == GROUP_JOINING) {
    g->initial_delay = 0;
    complete_join(g);
  } else if (g->state == GROUP_SYNCING) {
    sp_warn("group %s: leader %s sent no assignment in time; rebalancing again", g->id,
            g->leader ? g->leader : "?");
    if (g->leader) {
      member *leader = NULL;
      for (member *m = g->members; m; m = m->next)
        if (strcmp(m->id, g->leader) == 0) leader = m;
      if (leader) member_remove(leader, "sent no SyncGroup in time");
    }
    if (g->n_members) start_joining(g, "sync timeout");
    else after_member_gone(g);
  }
}

static void on_session_timeout(el_timer *t) {
  member *m = (member *)t;
  group *g = m->g;
  char why[96];
  snprintf(why, sizeof why, "session timeout of %d ms expired", m->session_timeout_ms);
  member_remove(m, why);
  after_member_gone(g);
}

/* ---- the APIs ----------------------------------------------------------- */

static void respond_join_now(request *rq, int16_t error, const char *member_id) {
  join_group_response resp = {.error = error, .generation_id = -1, .protocol_name = "",
                              .leader = "", .member_id = member_id ? member_id : ""};
  join_group_response_encode(&rq->slot->out, rq->h->api_version, &resp);
  slot_complete(rq->slot);
}

/* Does every existing member (other than `self`) support one of req's protocols? */
static int protocols_compatible(const group *g, const member *self, const join_group_request *req) {
  for (int32_t i = 0; i < req->n_protocols; i++) {
    int all = 1;
    for (const member *m = g->members; m && all; m = m->next) {
      if (m == self) continue;
      int has = 0;
      for (int k = 0; k < m->n_protocols; k++) has |= slice_is(req->protocols[i].name, m->protocols[k].name);
      all = has;
    }
    if (all) return 1;
  }
  return 0;
}

/* A new member id: the client id (printable part) and a unique suffix, as
 * Kafka forms them. */
static char *new_member_id(group_coordinator *gc, kslice client_id) {
  char cid[64];
  size_t n = 0;
  for (int32_t i = 0; client_id.len > 0 && i < client_id.len && n + 1 < sizeof cid; i++) {
    uint8_t ch = client_id.ptr[i];
    cid[n++] = (ch > 0x20 && ch < 0x7f) ? (char)ch : '_';
  }
  cid[n] = '\0';
  char buf[128];
  snprintf(buf, sizeof buf, "%s-%08llx-%012llx", n ? cid : "member",
           (unsigned long long)(++gc->member_seq),
           (unsigned long long)(sp_wall_ns() & 0xffffffffffffull));
  return sp_strdup(buf);
}

void group_join(group_coordinator *gc, request *rq, const join_group_request *req) {
  if (req->group_id.len <= 0) return respond_join_now(rq, KERR_INVALID_GROUP_ID, NULL);
  if (req->session_timeout_ms < SESSION_TIMEOUT_MIN_MS || req->session_timeout_ms > SESSION_TIMEOUT_MAX_MS)
    return respond_join_now(rq, KERR_INVALID_SESSION_TIMEOUT, NULL);
  if (req->n_protocols <= 0 || req->protocol_type.len <= 0)
    return respond_join_now(rq, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
  for (int32_t i = 0; i < req->n_protocols; i++)
    if (req->protocols[i].name.len < 0) return respond_join_now(rq, KERR_INCONSISTENT_GROUP_PROTOCOL, NULL);
  group *g = group_find(gc, req->group_id);
  member *m = NULL;
  if (req->member_id.len > 0) {
    m = member_find(g, req->member_id);
    if (!m) return respond_join_now(rq, KERR_UNKNOWN_MEMBER_ID, NULL);
  }
  if (!g) g = group_create(gc, req->group_id);
  if (g->n_members && (!g->protocol_type || !slice_is(req->protocol_type, g->protocol_type)))
    return respond_join_now(rq, KERR_INCONSISTENT_GROUP_PROTOCOL, m ? m->id : NULL);
  if (!protocols_compatible(g, m, req))
    return respond_join_now(rq, KERR_INCONSISTENT_GROUP_PROTOCOL, m ? m->id : NULL);
  if (!m && g->n_members >= GROUP_MAX_MEMBERS)
    return respond_join_now(rq, KERR_GROUP_MAX_SIZE_REACHED, NULL);
  if (!g->n_members) {
    free(g->protocol_type);
    g->protocol_type = dup_slice(req->protocol_type);
  }
  int is_new = !m;
  if (is_new) {
    m = sp_calloc(1, sizeof *m);
    m->g = g;
    m->id = new_member_id(gc, rq->h->client_id);
    el_timer_init(&m->session_timer, on_session_timeout);
    member **tail = &g->members;
    while (*tail) tail = &(*tail)->next;
    *tail = m;
    g->n_members++;
    sp_info("group %s: member %s joined from %s (%d member(s))", g->id, m->id, rq->c->peer,
            g->n_members);
  }
  free(m->instance_id);
  m->instance_id = dup_slice(req->group_instance_id);
  m->session_timeout_ms = req->session_timeout_ms;
  m->rebalance_timeout_ms = req->rebalance_timeout_ms > 0 ? req->rebalance_timeout_ms
                                                          : req->session_timeout_ms;
  member_free_protocols(m);
  m->n_protocols = req->n_protocols;
  m->protocols = sp_calloc((size_t)req->n_protocols, sizeof *m->protocols);
  for (int32_t i = 0; i < req->n_protocols; i++) {
    const join_group_protocol *p = &req->protocols[i];
    m->protocols[i].name = dup_slice(p->name);
    int32_t len = p->metadata.len > 0 ? p->metadata.len : 0;
    m->protocols[i].metadata = sp_malloc((size_t)len);
    if (len) memcpy(m->protocols[i].metadata, p->metadata.ptr, (size_t)len);
    m->protocols[i].metadata_len = len;
  }
  if (m->join_slot) answer_join_error(m, KERR_REBALANCE_IN_PROGRESS); /* superseded */
  m->join_slot = rq->slot;
  slot_park(rq->slot, join_cancel, m, 1);
  member_touch(m);
  if (g->state != GROUP_JOINING) {
    start_joining(g, is_new ? "a member joined" : "a member rejoined");
  } else if (g->initial_delay && is_new) {
    /* A new group waits one more delay for each arrival, bounded by the
     * rebalance timeout (Kafka's group.initial.rebalance.delay.ms). */
    uint64_t until = sp_mono_ns() + ms_to_ns(gc->srv->opts->group_initial_rebalance_delay_ms);
    uint64_t cap = g->join_started_ns + ms_to_ns(max_rebalance_timeout_ms(g));
    el_timer_arm(gc->srv->loop, &g->timer, until < cap ? until : cap);
  }
  maybe_complete_join(g);
}

void group_sync(group_coordinator *gc, request *rq, const sync_group_request *req) {
  group *g = group_find(gc, req->group_id);
  member *m = member_find(g, req->member_id);
  int16_t error = KERR_NONE;
  if (!m || g->state == GROUP_EMPTY) error = KERR_UNKNOWN_MEMBER_ID;
  else if (req->generation_id != g->generation) error = KERR_ILLEGAL_GENERATION;
  else if (g->state == GROUP_JOINING) error = KERR_REBALANCE_IN_PROGRESS;
  if (error || g->state == GROUP_UP) {
    if (m) member_touch(m);
    sync_group_response_encode(&rq->slot->out, rq->h->api_version, error,
                               error ? NULL : m->assignment, error ? 0 : m->assignment_len);
    slot_complete(rq->slot);
    return;
  }
  /* SYNCING: hold until the leader's assignment arrives. */
  if (m->sync_slot) answer_sync(m, KERR_REBALANCE_IN_PROGRESS);
  m->sync_slot = rq->slot;
  slot_park(rq->slot, sync_cancel, m, 1);
  member_touch(m);
  if (!g->leader || strcmp(g->leader, m->id) != 0) return;
  for (member *o = g->members; o; o = o->next) {
    free(o->assignment);
    o->assignment = NULL;
    o->assignment_len = 0;
    for (int32_t i = 0; i < req->n_assignments; i++) {
      const sync_group_assignment *a = &req->assignments[i];
      if (!slice_is(a->member_id, o->id)) continue;
      int32_t len = a->assignment.len > 0 ? a->assignment.len : 0;
      o->assignment = sp_malloc((size_t)len);
      if (len) memcpy(o->assignment, a->assignment.ptr, (size_t)len);
      o->assignment_len = len;
    }
  }
  g->state = GROUP_UP;
  el_timer_cancel(gc->srv->loop, &g->timer);
  for (member *o = g->members; o; o = o->next)
    if (o->sync_slot) {
      answer_sync(o, KERR_NONE);
      member_touch(o);
    }
  sp_info("group %s: generation %d is up (%d member(s))", g->id, g->generation, g->n_members);
}

int16_t group_heartbeat(group_coordinator *gc, const heartbeat_request *req) {
  group *g = group_find(gc, req->group_id);
  member *m = member_find(g, req->member_id);
  if (!m || g->state == GROUP_EMPTY) return KERR_UNKNOWN_MEMBER_ID;
  member_touch(m);
  if (req->generation_id != g->generation) return KERR_ILLEGAL_GENERATION;
  if (g->state == GROUP_JOINING) return KERR_REBALANCE_IN_PROGRESS;
  return KERR_NONE;
}

int16_t group_leave(group_coordinator *gc, const leave_group_request *req, const char *peer) {
  group *g = group_find(gc, req->group_id);
  member *m = member_find(g, req->member_id);
  if (!m) return KERR_UNKNOWN_MEMBER_ID;
  char why[96];
  snprintf(why, sizeof why, "left the group, from %s", peer);
  member_remove(m, why);
  after_member_gone(g);
  return KERR_NONE;
}

int16_t group_check_commit(group_coordinator *gc, kslice group_id, int32_t generation, kslice member_id) {
  group *g = group_find(gc, group_id);
  if (!g || g->n_members == 0) {
    if (generation < 0 && member_id.len <= 0) return KERR_NONE; /* simple commit */
    return generation < 0 ? KERR_NONE : KERR_ILLEGAL_GENERATION;
  }
  member *m = member_find(g, member_id);
  if (!m) return KERR_UNKNOWN_MEMBER_ID;
  member_touch(m);
  if (generation != g->generation) return KERR_ILLEGAL_GENERATION;
  if (g->state == GROUP_SYNCING) return KERR_REBALANCE_IN_PROGRESS;
  return KERR_NONE;
}

void group_coordinator_free(group_coordinator *gc) {
  if (!gc) return;
  event_loop *el = gc->srv->loop;
  while (gc->groups) {
    group *g = gc->groups;
    gc->groups = g->next;
    while (g->members) {
      member *m = g->members;
      g->members = m->next;
      SP_ASSERT(!m->join_slot && !m->sync_slot); /* connections are closed first */
      el_timer_cancel(el, &m->session_timer);
      member_free_protocols(m);
      free(m->id);
      free(m->instance_id);
      free(m->assignment);
      free(m);
    }
    el_timer_cancel(el, &g->timer);
    free(g->id);
    free(g->protocol_type);
    free(g->protocol_name);
    free(g->leader);
    free(g);
  }
  free(gc);
}
