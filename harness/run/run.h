/* run.h: `streamproof run`, the orchestrator.
 *
 *   streamproof run WORKLOAD.yaml [--faults FILE] [--out DIR]
 *                   [--bootstrap HOST:PORT] [--set key=value ...]
 *                   [-X librdkafka.property=value ...]
 *
 * Starts (or connects to) the broker, creates the workload's topics, starts
 * one worker process per producer and per consumer, gives them a common
 * start (t0), injects the fault schedule, stops the producers after the
 * measured phase, drains the consumers to the end offsets, reads every
 * partition back, stops everything it started and writes the results
 * folder (results/README.md). Then it runs the checker and prints its
 * verdict. It owns every process it starts and leaves none running when it
 * exits, also on Ctrl-C or SIGTERM.
 *
 * Exit status (documented in --help and harness/run/README.md):
 *   0  valid    the run completed, kept its schedule, the checker found
 *               nothing forbidden
 *   1  invalid  the checker found a forbidden anomaly
 *   2  unknown  the history is incomplete (drain not completed, a process
 *               never stopped, ...): nothing proven either way
 *   3  usage    bad command line, invalid workload or fault file
 *   4  failed   the run could not start or complete: broker unreachable,
 *               a worker failed to start, results folder not writable
 *   5  schedule the run completed but the load generator could not keep
 *               its schedule beyond the workload's schedule_tolerance (the
 *               numbers are reported, never hidden); invalid (1) wins
 * 130  interrupted by SIGINT/SIGTERM (processes stopped, partial results) */
#ifndef SP_RUN_H
#define SP_RUN_H

enum {
  RUN_EXIT_VALID = 0,
  RUN_EXIT_INVALID = 1,
  RUN_EXIT_UNKNOWN = 2,
  RUN_EXIT_USAGE = 3,
  RUN_EXIT_FAILED = 4,
  RUN_EXIT_SCHEDULE = 5,
  RUN_EXIT_INTERRUPTED = 130,
};

/* The subcommand: argv[0] is "run". Returns the exit status above. */
int run_main(int argc, char **argv);

#endif
