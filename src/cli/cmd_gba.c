/* glassvib gba: generalized Born approximation (Izzo, Ruocco, Cazzato, Front. Phys. 6, 108
 * (2018)); shares the implementation of `born` (cmd_born.c), see docs/continuum.md. */
#include "cli/cli.h"

int gv_cli_born_main(int argc, char **argv, int gba);

int gv_cmd_gba(int argc, char **argv) { return gv_cli_born_main(argc, argv, 1); }
