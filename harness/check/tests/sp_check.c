/* sp-check: check_main as a standalone program, for the checker's own tests
 * (`streamproof check` is the same function behind the main executable). */
#include "check.h"

int main(int argc, char **argv) { return check_main(argc, argv); }
