/* sp_matrix.c: `streamproof matrix` as a standalone program for the tests,
 * until matrix_main is wired into the streamproof command.
 *
 *   sp-matrix [matrix options]        matrix_main
 *   sp-matrix run ...                 run_main: each cell runs /proc/self/exe run
 *   sp-matrix worker ...              worker_main: each run starts /proc/self/exe worker
 */
#include <string.h>

#include "matrix.h"
#include "run.h"
#include "worker_main.h"

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "run")) return run_main(argc - 1, argv + 1);
  if (argc > 1 && !strcmp(argv[1], "worker")) return worker_main(argc - 1, argv + 1);
  return matrix_main(argc, argv);
}
