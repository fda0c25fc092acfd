/* sp_report.c: `streamproof report` as a standalone program for the tests,
 * until report_main is wired into the streamproof command. */
#include "report.h"

int main(int argc, char **argv) { return report_main(argc, argv); }
