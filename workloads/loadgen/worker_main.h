/* worker_main.h: the entry point of `streamproof worker ...` alone, for
 * the command's dispatcher (which must not see workload.h: see
 * harness/cmd/main.c). Contract in worker.h. */
#ifndef SP_WORKER_MAIN_H
#define SP_WORKER_MAIN_H

int worker_main(int argc, char **argv);

#endif
