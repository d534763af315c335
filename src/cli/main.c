/* glassvib: one executable, one command per job. Commands live in cmd_<name>.c;
 * a command not built into this binary falls back to the weak stub below,
 * which says so and exits 2. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define GV_WEAK_STUB(name, summary)                                                        \
  __attribute__((weak)) int gv_cmd_##name(int argc, char **argv) {                         \
    (void)argc;                                                                            \
    (void)argv;                                                                            \
    fprintf(stderr, "glassvib: command '%s' is not available in this build yet\n", #name); \
    return 2;                                                                              \
  }
GV_COMMANDS(GV_WEAK_STUB)
#undef GV_WEAK_STUB

typedef struct {
  const char *name, *summary;
  int (*run)(int, char **);
} command;
#define GV_ENTRY(name, summary) {#name, summary, gv_cmd_##name},
static const command commands[] = {GV_COMMANDS(GV_ENTRY)};
#undef GV_ENTRY
#define NCOMMANDS ((int)(sizeof commands / sizeof commands[0]))

static void usage(FILE *fp) {
  fprintf(fp,
          "glassvib %s: low-frequency vibrations of structural glasses\n\n"
          "usage: glassvib <command> [options]   (glassvib <command> --help for details)\n\n"
          "commands:\n",
          gv_version());
  for (int i = 0; i < NCOMMANDS; i++) fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

/* First signal: ask long loops to stop cleanly (they return GV_EINTERRUPTED and
 * discard their temporary outputs). Second signal: remove temporaries and exit. */
static void on_signal(int sig) {
  if (gv_interrupted()) {
    gv_outfile_cleanup_all();
    signal(sig, SIG_DFL);
    raise(sig);
  }
  gv_interrupt_request();
}

int main(int argc, char **argv) {
  gv_provenance_set_command_line(argc, argv);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
    printf("glassvib %s (git %s)\n", gv_version(), gv_git_hash());
    return 0;
  }
  for (int i = 0; i < NCOMMANDS; i++)
    if (strcmp(argv[1], commands[i].name) == 0) {
      int rc = commands[i].run(argc - 1, argv + 1);
      gv_outfile_cleanup_all();
      return rc;
    }
  fprintf(stderr, "glassvib: unknown command '%s' (glassvib --help lists the commands)\n", argv[1]);
  return 2;
}
