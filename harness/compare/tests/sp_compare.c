/* sp_compare.c: `streamproof compare` as a standalone program for the
 * tests, until compare_main is wired into the streamproof command. */
#include "compare.h"

int main(int argc, char **argv) { return compare_main(argc, argv); }
