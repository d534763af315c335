/* MPI plumbing of ensemble runs. Without GV_MPI (or when the process was not
 * started by an MPI launcher) everything is serial: rank 0 of 1. MPI is only
 * initialised when a launcher's environment is present, so a serial run of an
 * MPI build does not pay for (or depend on) a singleton MPI start-up. */
#include <stdlib.h>

#include "ensemble/ensemble_internal.h"
#ifdef GV_HAVE_MPI
#include <mpi.h>
#endif

static int g_init = 0, g_rank = 0, g_size = 1, g_level = 0;
#ifdef GV_HAVE_MPI
static int g_owned = 0;
#endif

int gv_ensemble_have_mpi(void) {
#ifdef GV_HAVE_MPI
  return 1;
#else
  return 0;
#endif
}

#ifdef GV_HAVE_MPI
static int launched_by_mpi(void) {
  static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK", "MPI_LOCALNRANKS"};
  for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
    if (getenv(vars[i])) return 1;
  return 0;
}
#endif

int gv_ensemble_comm_init(void) {
  if (g_init) return GV_OK;
  g_init = 1;
#ifdef GV_HAVE_MPI
  int is = 0;
  MPI_Initialized(&is);
  if (!is) {
    if (!launched_by_mpi()) return GV_OK;
    int provided = MPI_THREAD_SINGLE;
    /* SERIALIZED: rank 0's dispatcher thread and worker threads call MPI one at a time. */
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
      return GV_ERROR(GV_EIO, "MPI_Init_thread failed");
    g_owned = 1;
    atexit(gv_ensemble_comm_finalize);
    g_level = provided >= MPI_THREAD_MULTIPLE ? 3 : provided >= MPI_THREAD_SERIALIZED ? 2
              : provided >= MPI_THREAD_FUNNELED ? 1 : 0;
  } else {
    int provided = MPI_THREAD_SINGLE;
    MPI_Query_thread(&provided);
    g_level = provided >= MPI_THREAD_MULTIPLE ? 3 : provided >= MPI_THREAD_SERIALIZED ? 2
              : provided >= MPI_THREAD_FUNNELED ? 1 : 0;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
#endif
  return GV_OK;
}

void gv_ensemble_comm_finalize(void) {
#ifdef GV_HAVE_MPI
  if (g_owned) {
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin) MPI_Finalize();
    g_owned = 0;
  }
#endif
}

int gv_ensemble_rank(void) { return g_rank; }
int gv_ensemble_nranks(void) { return g_size; }
int gv_ensemble_is_root(void) { return g_rank == 0; }
int gv_ensemble_comm_thread_level_(void) { return g_size > 1 ? g_level : 0; }

int gv_ensemble_agree(int status) {
#ifdef GV_HAVE_MPI
  if (g_size > 1) {
    int worst = status;
    MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return worst;
  }
#endif
  return status;
}
