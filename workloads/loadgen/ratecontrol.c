/* ratecontrol.c: the max-sustainable-rate search; see ratecontrol.h. */
#include "ratecontrol.h"

/* Starts at the maximum ramping factor, as OMB does. */
void ratectl_init(rate_controller *c, const rate_search_conf *conf) {
  c->conf = *conf;
  c->ramping_factor = conf->max_ramping_factor;
  c->prev_published = c->prev_received = 0;
}

/* count per period_ns as a rate per second. */
static double per_second(double count, uint64_t period_ns) {
  return period_ns ? count * 1e9 / (double)period_ns : 0;
}

/* Slows down after a backlog: halves the factor, and returns the smaller of
 * the rate actually achieved and the rate that would clear the backlog
 * within one period. */
static double slow_down(rate_controller *c, uint64_t period_ns, double actual, double expected,
                        double backlog) {
  c->ramping_factor /= 2;
  if (c->ramping_factor < c->conf.min_ramping_factor) c->ramping_factor = c->conf.min_ramping_factor;
  double next_expected = expected - backlog > 0 ? expected - backlog : 0;
  double a = per_second(actual, period_ns), e = per_second(next_expected, period_ns);
  return a < e ? a : e;
}

double ratectl_next(rate_controller *c, double rate, uint64_t period_ns, uint64_t total_intended,
                    uint64_t total_published, uint64_t total_received) {
  double expected = rate * (double)period_ns / 1e9;
  double published = (double)(total_published - c->prev_published);
  double received = (double)(total_received - c->prev_received);
  c->prev_published = total_published;
  c->prev_received = total_received;

  double next;
  double receive_backlog = (double)total_published - (double)total_received;
  double publish_backlog = (double)total_intended - (double)total_published;
  if (receive_backlog > c->conf.receive_backlog_limit) {
    next = slow_down(c, period_ns, received, expected, receive_backlog);
  } else if (publish_backlog > c->conf.publish_backlog_limit) {
    next = slow_down(c, period_ns, published, expected, publish_backlog);
  } else {
    c->ramping_factor *= 2;
    if (c->ramping_factor > c->conf.max_ramping_factor) c->ramping_factor = c->conf.max_ramping_factor;
    next = rate * (1 + c->ramping_factor);
  }
  return next < 1.0 ? 1.0 : next;
}
