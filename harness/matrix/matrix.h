/* matrix.h: `streamproof matrix`, the delivery-semantics matrix.
 *
 *   streamproof matrix [WORKLOAD] [--out DIR] [--semantics a,b,c]
 *                      [--faults none,consumer-crash,broker-crash,processor-crash]
 *                      [--repeat N] [--set k=v ...] [--bootstrap HOST:PORT] ...
 *
 * Runs one workload under each delivery semantics (at_most_once,
 * at_least_once, exactly_once) crossed with each fault (none, a consumer
 * crash, a broker crash, a processor crash: the schedules of faults/matrix/),
 * every cell an ordinary `streamproof run` in a child process of this same
 * executable (/proc/self/exe run ...), so each cell is a results folder of
 * its own that check, report and compare read like any other. Then writes
 * one comparison table (matrix.md, matrix.csv, printed), one plot
 * (matrix.png, matrix.svg) and index.html into the matrix folder.
 * harness/matrix/README.md says how to read them.
 *
 * The executable that calls matrix_main must also answer `run` and
 * `worker` (the streamproof command does). Exit status: see matrix_usage / the README (0 every cell ran,
 * whatever its verdict; 3 usage; 4 a cell could not run; 130 interrupted;
 * with --strict 1/2 for an invalid/unknown verdict). */
#ifndef SP_MATRIX_H
#define SP_MATRIX_H

int matrix_main(int argc, char **argv);

#endif
