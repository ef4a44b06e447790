/* placeholder until the config module lands */
#include <stdio.h>
#include "gen/cmds.h"
const char usage_config[] = "usage: burn config ...\n";
int cmd_config(int argc, char **argv) { (void)argc; (void)argv; fputs("burn config: not built yet\n", stderr); return 1; }
