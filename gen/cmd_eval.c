/* placeholder until csim/estimate/reward commands land */
#include <stdio.h>
#include "gen/cmds.h"
const char usage_csim[] = "usage: burn csim ...\n", usage_estimate[] = "usage: burn estimate ...\n", usage_reward[] = "usage: burn reward ...\n";
int cmd_csim(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_estimate(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_reward(int argc, char **argv) { (void)argc; (void)argv; return 1; }
