/* ratecontrol.h: OMB's max-sustainable-rate search (producerRate: 0).
 *
 * Every control period (OMB: 3 s) the run asks the controller for the next
 * total rate, given its counters; the answer is appended to the schedule
 * with schedule_retarget. The algorithm is OMB's RateController:
 *
 *   - receive backlog = published - received (per subscription). Above
 *     receive_backlog_limit: halve the ramping factor and slow to
 *     min(rate received this period, expected - backlog).
 *   - else publish backlog above publish_backlog_limit: the same, with the
 *     rate published this period.
 *   - else double the ramping factor (capped at max_ramping_factor) and
 *     speed up: rate * (1 + factor).
 *   The factor never drops below min_ramping_factor; the rate never drops
 *   below 1 msg/s (OMB's adjustPublishRate clamps the same way).
 *
 * One deliberate difference: OMB starts a fresh rate limiter at every
 * change, forgiving messages the producers did not manage to send. The
 * streamproof schedule is open loop and never forgives, so the publish
 * backlog is the cumulative debt: intended so far - published so far.
 * Messages owed stay owed, and their latency counts from their intended
 * time. The search is feedback-driven, so unlike every other profile its
 * rates depend on the system under test, not only on the seed; the timeline
 * records the rate it chose at each second. */
#ifndef SP_RATECONTROL_H
#define SP_RATECONTROL_H

#include <stdint.h>

typedef struct rate_search_conf {
  double start_rate;            /* msg/s, OMB: 10000 */
  double period_s;              /* OMB: 3 */
  double publish_backlog_limit; /* messages, OMB: 1000 */
  double receive_backlog_limit; /* messages, OMB: 1000 */
  double min_ramping_factor;    /* OMB: 0.01 */
  double max_ramping_factor;    /* OMB: 1 */
} rate_search_conf;

typedef struct rate_controller {
  rate_search_conf conf;
  double ramping_factor;
  uint64_t prev_published, prev_received;
} rate_controller;

void ratectl_init(rate_controller *c, const rate_search_conf *conf);

/* The next total rate (msg/s) after a period of period_ns at `rate`, with
 * cumulative counts since the start of load: messages intended by the
 * schedule, published (acknowledged), and received per subscription
 * (total received / number of subscriptions). */
double ratectl_next(rate_controller *c, double rate, uint64_t period_ns, uint64_t total_intended,
                    uint64_t total_published, uint64_t total_received);

#endif
