/* placeholder until the golden checker lands */
#include <stdio.h>
#include "gen/cmds.h"
const char usage_golden[] = "usage: burn golden FILE\n";
int cmd_golden(int argc, char **argv) { (void)argc; (void)argv; fputs("burn golden: not built yet\n", stderr); return 1; }
