/* machine.h: what a result needs to say about the machine it ran on
 * (summary.json "machine"): comparing numbers across machines starts here. */
#ifndef SP_MACHINE_H
#define SP_MACHINE_H

#include <jansson.h>

/* {"hostname", "cpu_model", "cpus", "memory_bytes", "kernel", "load_avg_1m"}
 * (fields that cannot be read are left out). The caller owns the reference. */
json_t *machine_json(void);

#endif
