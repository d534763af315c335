/* The command-line front end: argument tables, command entry points, and the
 * conventions every command follows (--help, --json, -o, --seed, --threads). */
#ifndef GV_CLI_H
#define GV_CLI_H

#include <stdint.h>

#include "glassvib/core.h"

/* One entry of a command's parameter table. The parser, --help and range
 * validation are all built from this table. */
typedef enum {
  GV_ARG_FLAG,   /* int*: set to 1 if present */
  GV_ARG_INT,    /* long long* */
  GV_ARG_DOUBLE, /* double* */
  GV_ARG_STRING, /* const char**: points into argv */
  GV_ARG_SEED    /* uint64_t* */
} gv_arg_type;

typedef struct gv_arg {
  const char *name;  /* long name without dashes, e.g. "density" */
  char short_name;   /* e.g. 'o', or 0 */
  gv_arg_type type;
  void *dest;        /* written only if the flag is given (set defaults before parsing) */
  const char *meta;  /* value placeholder in --help, e.g. "RHO" */
  const char *help;  /* one line; mention the unit and the default */
  double min, max;   /* inclusive range for INT/DOUBLE (ignored if min > max) */
  int required;
  int given;         /* set by the parser */
} gv_arg;

#define GV_ARG_END {0}
#define GV_NO_RANGE 1.0, 0.0

typedef struct gv_cmd_spec {
  const char *name;     /* "prepare" */
  const char *usage;    /* "--model M --dim D ... -o glass.h5" */
  const char *summary;  /* one paragraph */
  int min_positional, max_positional; /* max < 0: unlimited */
} gv_cmd_spec;

/* Parse argv (argv[0] = command name) and apply the shared options --threads
 * and --quiet if the table has them. Positional arguments are returned in
 * pos (borrowed from argv). Returns 0 ok, 1 if --help was printed (caller
 * returns 0), or prints the error and returns GV_EINVAL. */
int gv_cli_parse(const gv_cmd_spec *spec, gv_arg *args, int argc, char **argv,
                 const char ***pos, int *npos);
void gv_cli_help(const gv_cmd_spec *spec, const gv_arg *args);
/* Report a library failure on stderr: "glassvib <cmd>: <message>". Returns the exit code. */
int gv_cli_fail(const char *cmd, int status);

/* prepare/minimize: energy, pressure and max-force lines of a written glass (`how`:
 * optional minimiser note), and the error for a glass that missed --ftol. */
struct gv_glass;
void gv_cli_print_state(const struct gv_glass *g, double ftol, const char *how);
int gv_cli_refuse_unconverged(const struct gv_glass *g, double ftol);
/* A glass output path: writable, extension .h5, .xyz or .data. */
int gv_cli_check_glass_out(const char *path);
/* Apply --threads if given (> 0). */
void gv_cli_set_threads(long long threads);

/* Common argument shorthands. */
#define GV_ARG_JSON(p) {"json", 0, GV_ARG_FLAG, (p), NULL, "print a JSON summary on stdout", GV_NO_RANGE, 0, 0}
#define GV_ARG_THREADS(p) {"threads", 0, GV_ARG_INT, (p), "T", "OpenMP threads (default: OMP_NUM_THREADS or all cores)", 1, 4096, 0, 0}
#define GV_ARG_SEED(p) {"seed", 0, GV_ARG_SEED, (p), "S", "random seed (default 20261123)", GV_NO_RANGE, 0, 0}
#define GV_ARG_OUT(p, what) {"out", 'o', GV_ARG_STRING, (p), "FILE", what, GV_NO_RANGE, 0, 0}
/* Model and dimension of an input that does not carry them (.dat, foreign .xyz/.data). */
#define GV_ARG_INPUT_MODEL(p) {"model", 0, GV_ARG_STRING, (p), "M", "model of a .dat (or foreign .xyz/.data) input: ipl, poly, poly-nbc, kablj", GV_NO_RANGE, 0, 0}
#define GV_ARG_INPUT_DIM(p) {"dim", 0, GV_ARG_INT, (p), "D", "dimension of a .dat input (2, 3, 4)", 2, 4, 0, 0}
#define GV_ARG_QUIET(p) {"quiet", 'q', GV_ARG_FLAG, (p), NULL, "no progress bars or log messages", GV_NO_RANGE, 0, 0}

/* Command entry points: int gv_cmd_<name>(int argc, char **argv), argv[0] = name. */
#define GV_COMMANDS(X)                                                                     \
  X(prepare, "equilibrate a liquid at T_p and quench it to an inherent state")            \
  X(minimize, "minimise the energy of a configuration to a force tolerance")              \
  X(info, "describe a glassvib file")                                                     \
  X(convert, "convert between .h5, .xyz, .data (LAMMPS) and .dat")                        \
  X(hessian, "write the sparse Hessian of a glass (Matrix Market)")                       \
  X(modes, "low-frequency normal modes of a glass")                                       \
  X(moduli, "athermal elastic moduli, sound speeds and Debye frequency")                  \
  X(dos, "density of states, A_g, exponent s, level statistics over mode files")          \
  X(sqw, "microscopic S_L(q,w) and S_T(q,w) from the normal modes")                       \
  X(dipoles, "force-dipole responses and their stiffness statistics")                     \
  X(nlmodes, "nonlinear (quartic) quasilocalized modes")                                  \
  X(anatomy, "soft-mode anatomy: core, dipole tensor, couplings, soft-potential numbers") \
  X(khgps, "the KHGPS mean-field model of interacting anharmonic oscillators")            \
  X(lattice, "the lattice model of dipole stiffnesses")                                   \
  X(scba, "heterogeneous elasticity in the self-consistent Born approximation")           \
  X(born, "Born approximation self-energies and S(q,w)")                                  \
  X(gba, "generalized Born approximation self-energies and S(q,w)")                       \
  X(plot, "figures from glassvib output files (gnuplot)")

#define GV_DECLARE_CMD(name, summary) int gv_cmd_##name(int argc, char **argv);
GV_COMMANDS(GV_DECLARE_CMD)
#undef GV_DECLARE_CMD

#endif
