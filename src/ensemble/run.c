/* Ensemble runs: scan/resume, dynamic assignment (threads, claims, MPI ranks),
 * atomic per-sample commits, and the ordered merge. See glassvib/ensemble.h.
 *
 * MPI protocol (tags REQ = worker -> 0, REP = 0 -> worker):
 *   worker sends  msg_head {kind, status, sample, fingerprint, errmsg} [+ packed record]
 *                 kind HELLO (first request), RESULT (record follows), FAIL (status < 0)
 *   rank 0 replies int64 next sample, or -1 = stop (no work left, error, interrupt).
 * Rank 0 serves requests in a dispatcher thread (polling with MPI_Iprobe and short
 * sleeps, so it does not steal a core) while its own threads compute; rank 0 alone
 * writes records, so no shared file system is needed for the ranks > 0. At the end
 * rank 0 broadcasts the final status and message to every rank. */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ensemble/ensemble_internal.h"
#ifdef GV_HAVE_MPI
#include <mpi.h>
#endif

#define HEARTBEAT_S 30
#define TAG_REQ 7101
#define TAG_REP 7102
enum { K_HELLO = 1, K_RESULT = 2, K_FAIL = 3 };

typedef struct {
  int32_t kind, status;
  int32_t nthreads, pad; /* requesting threads of the sender's rank */
  int64_t sample;
  uint64_t fp;
  char errmsg[512];
} msg_head;

typedef struct {
  const gv_ensemble_opts *o;
  gv_ensemble_compute_fn compute;
  void *ctx;
  uint64_t fp;
  double stale_s;
  pthread_mutex_t mu; /* queue, claims, stats, records, progress */
  long *todo, ntodo, next;
  long *deferred, ndeferred, next_deferred;
  long *held; /* claims held, -1 = free slot */
  long nheld_cap;
  int stop;   /* < 0: error / interrupt status that stops the run */
  char errmsg[640];
  int worst_info;
  long computed, computed_here, done;
  double commit_s;
  gv_progress prog;
  int show_progress;
  /* heartbeat thread */
  pthread_t hb;
  pthread_cond_t hb_cv;
  int hb_running, hb_quit;
} run_state;

static void set_stop(run_state *s, int status, const char *fmt, const char *msg, long sample, int rank) {
  if (s->stop < 0) return;
  s->stop = status;
  if (status == GV_EINTERRUPTED)
    snprintf(s->errmsg, sizeof s->errmsg, "interrupted; committed samples are kept, re-run the same command to resume");
  else if (rank >= 0)
    snprintf(s->errmsg, sizeof s->errmsg, fmt, sample, rank, msg);
  else
    snprintf(s->errmsg, sizeof s->errmsg, fmt, sample, msg);
}

static void held_add(run_state *s, long k) {
  for (long i = 0; i < s->nheld_cap; i++)
    if (s->held[i] < 0) { s->held[i] = k; return; }
}
static void held_remove(run_state *s, long k) {
  for (long i = 0; i < s->nheld_cap; i++)
    if (s->held[i] == k) { s->held[i] = -1; return; }
}

/* Refresh our claims every HEARTBEAT_S seconds; woken at once by hb_cv at the end. */
static void *heartbeat(void *arg) {
  run_state *s = arg;
  pthread_mutex_lock(&s->mu);
  while (!s->hb_quit) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += HEARTBEAT_S;
    while (!s->hb_quit && pthread_cond_timedwait(&s->hb_cv, &s->mu, &until) != ETIMEDOUT) {
    }
    if (s->hb_quit) break;
    for (long i = 0; i < s->nheld_cap; i++)
      if (s->held[i] >= 0) gv_ens_claim_touch_(s->o->dir, s->held[i]);
  }
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

/* Next sample for this process (root/serial), claimed; -1 when none is left.
 * Caller holds s->mu. */
static long acquire_locked_(run_state *s) {
  if (s->stop < 0) return -1;
  if (gv_interrupted()) {
    set_stop(s, GV_EINTERRUPTED, NULL, NULL, 0, -1);
    return -1;
  }
  /* first pass: the to-do list; second pass: samples another process held */
  for (int pass = 0; pass < 2; pass++) {
    long *list = pass ? s->deferred : s->todo, n = pass ? s->ndeferred : s->ntodo;
    long *next = pass ? &s->next_deferred : &s->next;
    if (pass == 1 && s->next < s->ntodo) break;
    while (*next < n) {
      long k = list[(*next)++];
      if (gv_ens_rec_exists_(s->o->dir, k)) { s->done++; continue; } /* finished elsewhere */
      int c = gv_ens_claim_(s->o->dir, k, s->stale_s);
      if (c < 0) {
        set_stop(s, c, "sample %ld: %s", gv_error_message(), k, -1);
        return -1;
      }
      if (c == 0) {
        if (!pass) s->deferred[s->ndeferred++] = k;
        continue;
      }
      if (gv_ens_rec_exists_(s->o->dir, k)) { /* committed between our check and claim */
        gv_ens_claim_release_(s->o->dir, k);
        s->done++;
        continue;
      }
      held_add(s, k);
      return k;
    }
  }
  return -1;
}

/* The file-system work of taking a sample (record checks, claim) is part of the
 * checkpointing cost: accounted with the commits. */
static long acquire_locked(run_state *s) {
  double t0 = gv_wall_time();
  long k = acquire_locked_(s);
  s->commit_s += gv_wall_time() - t0;
  return k;
}

/* Pack and commit a finished record (root). Caller holds s->mu. */
static int commit_locked(run_state *s, const gv_ensemble_record *rec, int cstatus, int here) {
  double t0 = gv_wall_time();
  void *buf = NULL;
  size_t nb = 0;
  long k = gv_ensemble_record_sample(rec);
  int status = gv_ensemble_record_pack(rec, s->fp, &buf, &nb);
  if (!status) status = gv_ens_rec_write_(s->o->dir, k, buf, nb);
  free(buf);
  gv_ens_claim_release_(s->o->dir, k);
  held_remove(s, k);
  s->commit_s += gv_wall_time() - t0;
  if (status) {
    set_stop(s, status, "sample %ld: %s", gv_error_message(), k, -1);
    return status;
  }
  if (cstatus > s->worst_info) s->worst_info = cstatus;
  s->computed++;
  if (here) s->computed_here++;
  s->done++;
  if (s->show_progress) gv_progress_update(&s->prog, (double)s->done);
  return GV_OK;
}

#ifdef GV_HAVE_MPI
static int commit_packed_locked(run_state *s, long k, const void *buf, size_t nb, int cstatus, int rank) {
  double t0 = gv_wall_time();
  int status = gv_ens_rec_write_(s->o->dir, k, buf, nb);
  gv_ens_claim_release_(s->o->dir, k);
  held_remove(s, k);
  s->commit_s += gv_wall_time() - t0;
  if (status) {
    set_stop(s, status, "sample %ld (rank %d): %s", gv_error_message(), k, rank);
    return status;
  }
  if (cstatus > s->worst_info) s->worst_info = cstatus;
  s->computed++;
  s->done++;
  if (s->show_progress) gv_progress_update(&s->prog, (double)s->done);
  return GV_OK;
}
#endif

/* One thread of the root (or of a serial process): take, compute, commit. */
static void local_worker(run_state *s) {
  gv_ensemble_record *rec = NULL;
  int st = gv_ensemble_record_create(&rec);
  if (st) {
    pthread_mutex_lock(&s->mu);
    set_stop(s, st, "sample %ld: %s", gv_error_message(), -1, -1);
    pthread_mutex_unlock(&s->mu);
  }
  while (rec) {
    pthread_mutex_lock(&s->mu);
    long k = acquire_locked(s);
    pthread_mutex_unlock(&s->mu);
    if (k < 0) break;
    gv_ensemble_record_clear(rec);
    gv_ensemble_record_set_sample_(rec, k);
    int cs = s->compute(s->ctx, k, rec);
    if (cs >= 0) gv_ensemble_record_set_sample_(rec, k); /* the callback cannot change it */
    pthread_mutex_lock(&s->mu);
    if (cs < 0) {
      gv_ens_claim_release_(s->o->dir, k);
      held_remove(s, k);
      if (cs == GV_EINTERRUPTED) set_stop(s, cs, NULL, NULL, k, -1);
      else set_stop(s, cs, "sample %ld: %s", gv_error_message(), k, -1);
    } else {
      commit_locked(s, rec, cs, 1);
    }
    pthread_mutex_unlock(&s->mu);
  }
  gv_ensemble_record_destroy(&rec);
}

/* One worker thread runs without a parallel region: libgomp would otherwise start
 * and end a thread for every parallel region nested in the computation (measured
 * 61 thread creations per KHGPS sample). */
static void local_workers(run_state *s, int nthreads) {
  if (nthreads <= 1) {
    local_worker(s);
    return;
  }
#pragma omp parallel num_threads(nthreads)
  local_worker(s);
}

/* --------------------------------------------------------------- MPI */
#ifdef GV_HAVE_MPI
typedef struct {
  run_state *s;
  int nranks;
} dispatcher_arg;

static void *dispatcher(void *arg) {
  dispatcher_arg *d = arg;
  run_state *s = d->s;
  /* A rank is done when each of its requesting threads has been told to stop. */
  int active = d->nranks - 1;
  int *left = malloc((size_t)d->nranks * sizeof *left);
  if (!left) {
    pthread_mutex_lock(&s->mu);
    set_stop(s, GV_ENOMEM, "sample %ld (rank %d): %s", "out of memory", -1, 0);
    pthread_mutex_unlock(&s->mu);
    return NULL; /* cannot serve: MPI would hang; out of memory here is fatal anyway */
  }
  for (int r = 0; r < d->nranks; r++) left[r] = -1; /* unknown until its first message */
  unsigned char *buf = NULL;
  size_t cap = 0;
  while (active > 0) {
    int flag = 0;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, TAG_REQ, MPI_COMM_WORLD, &flag, &st);
    if (!flag) {
      struct timespec ts = {0, 500 * 1000}; /* 0.5 ms: idle polling costs nothing measurable */
      nanosleep(&ts, NULL);
      continue;
    }
    int count = 0;
    MPI_Get_count(&st, MPI_BYTE, &count);
    if ((size_t)count > cap) {
      free(buf);
      cap = (size_t)count;
      buf = malloc(cap);
    }
    if (!buf) { /* cannot even receive: stop everyone (the message is dropped) */
      MPI_Recv(NULL, 0, MPI_BYTE, st.MPI_SOURCE, TAG_REQ, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      pthread_mutex_lock(&s->mu);
      set_stop(s, GV_ENOMEM, "sample %ld (rank %d): %s", "out of memory receiving a record", -1, st.MPI_SOURCE);
      pthread_mutex_unlock(&s->mu);
      cap = 0;
    } else {
      MPI_Recv(buf, count, MPI_BYTE, st.MPI_SOURCE, TAG_REQ, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    msg_head h;
    int to_commit = 0;
    memset(&h, 0, sizeof h);
    if (buf && (size_t)count >= sizeof h) memcpy(&h, buf, sizeof h);
    h.errmsg[sizeof h.errmsg - 1] = 0;
    pthread_mutex_lock(&s->mu);
    if (buf && h.fp != s->fp) {
      set_stop(s, GV_EINVAL, "sample %ld (rank %d): %s", "this rank runs with other parameters", (long)h.sample,
               st.MPI_SOURCE);
      if (h.kind == K_RESULT) held_remove(s, (long)h.sample), gv_ens_claim_release_(s->o->dir, (long)h.sample);
    } else if (buf && h.kind == K_RESULT) {
      /* verify what travelled before it becomes a record */
      gv_ensemble_record *chk = NULL;
      int vs = gv_ensemble_record_create(&chk);
      if (!vs) vs = gv_ensemble_record_unpack(chk, buf + sizeof h, (size_t)count - sizeof h, s->fp, (long)h.sample);
      gv_ensemble_record_destroy(&chk);
      if (vs) {
        gv_ens_claim_release_(s->o->dir, (long)h.sample);
        held_remove(s, (long)h.sample);
        set_stop(s, vs, "sample %ld (rank %d): %s", gv_error_message(), (long)h.sample, st.MPI_SOURCE);
      } else {
        to_commit = 1; /* after the reply: the worker computes while rank 0 writes */
      }
    } else if (buf && h.kind == K_FAIL) {
      if (h.sample >= 0) {
        gv_ens_claim_release_(s->o->dir, (long)h.sample);
        held_remove(s, (long)h.sample);
      }
      if (h.status == GV_EINTERRUPTED) set_stop(s, GV_EINTERRUPTED, NULL, NULL, 0, -1);
      else set_stop(s, h.status < 0 ? h.status : GV_EIO, "sample %ld (rank %d): %s", h.errmsg, (long)h.sample,
                    st.MPI_SOURCE);
    }
    int64_t next = acquire_locked(s);
    pthread_mutex_unlock(&s->mu);
    int src = st.MPI_SOURCE;
    if (left[src] < 0) left[src] = h.nthreads > 0 ? h.nthreads : 1;
    if (next < 0 && --left[src] == 0) active--;
    MPI_Send(&next, 1, MPI_INT64_T, st.MPI_SOURCE, TAG_REP, MPI_COMM_WORLD);
    if (to_commit) {
      pthread_mutex_lock(&s->mu);
      commit_packed_locked(s, (long)h.sample, buf + sizeof h, (size_t)count - sizeof h, h.status, st.MPI_SOURCE);
      pthread_mutex_unlock(&s->mu);
    }
  }
  free(buf);
  free(left);
  return NULL;
}

typedef struct {
  pthread_mutex_t mu; /* one request/reply pair at a time (MPI_THREAD_SERIALIZED) */
  int nthreads;
  uint64_t fp;
  int stop;
  long computed_here;
} worker_state;

/* Send a request (with a result or a failure) and receive the next sample. */
static long worker_exchange(worker_state *w, int kind, int status, long sample, const gv_ensemble_record *rec) {
  msg_head h;
  memset(&h, 0, sizeof h);
  h.kind = kind;
  h.status = status;
  h.nthreads = w->nthreads;
  h.sample = sample;
  h.fp = w->fp;
  void *rb = NULL;
  size_t rn = 0;
  if (kind == K_RESULT && gv_ensemble_record_pack(rec, w->fp, &rb, &rn) != GV_OK) {
    h.kind = kind = K_FAIL;
    h.status = GV_ENOMEM;
  }
  if (kind == K_FAIL) snprintf(h.errmsg, sizeof h.errmsg, "%s", gv_error_message());
  unsigned char *msg = malloc(sizeof h + rn);
  int64_t next = -1;
  pthread_mutex_lock(&w->mu);
  if (msg) {
    memcpy(msg, &h, sizeof h);
    if (rn) memcpy(msg + sizeof h, rb, rn);
    MPI_Send(msg, (int)(sizeof h + rn), MPI_BYTE, 0, TAG_REQ, MPI_COMM_WORLD);
  } else {
    h.kind = K_FAIL;
    h.status = GV_ENOMEM;
    snprintf(h.errmsg, sizeof h.errmsg, "out of memory sending a record");
    MPI_Send(&h, (int)sizeof h, MPI_BYTE, 0, TAG_REQ, MPI_COMM_WORLD);
  }
  MPI_Recv(&next, 1, MPI_INT64_T, 0, TAG_REP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  if (kind == K_RESULT && msg) w->computed_here++;
  pthread_mutex_unlock(&w->mu);
  free(msg);
  free(rb);
  return (long)next;
}

static void remote_worker(run_state *s, worker_state *w) {
#pragma omp single
  w->nthreads = omp_get_num_threads(); /* the team may be smaller than asked */
  gv_ensemble_record *rec = NULL;
  int st = gv_ensemble_record_create(&rec);
  long k = worker_exchange(w, st ? K_FAIL : K_HELLO, st, -1, NULL);
  while (k >= 0) {
    gv_ensemble_record_clear(rec);
    gv_ensemble_record_set_sample_(rec, k);
    int cs = gv_interrupted() ? GV_ERROR(GV_EINTERRUPTED, "interrupted") : s->compute(s->ctx, k, rec);
    if (cs < 0) {
      worker_exchange(w, K_FAIL, cs, k, NULL); /* the reply is a stop */
      break;
    }
    gv_ensemble_record_set_sample_(rec, k);
    k = worker_exchange(w, K_RESULT, cs, k, rec);
  }
  gv_ensemble_record_destroy(&rec);
}

static void remote_workers(run_state *s, worker_state *w, int nthreads) {
  if (nthreads <= 1) { /* as local_workers */
    remote_worker(s, w);
    return;
  }
#pragma omp parallel num_threads(nthreads)
  remote_worker(s, w);
}
#endif

/* ------------------------------------------------------------ the run */
int gv_ensemble_run(const gv_ensemble_opts *o, gv_ensemble_compute_fn compute, void *ctx, gv_ensemble_stats *stats) {
  int status = GV_OK;
  run_state s;
  memset(&s, 0, sizeof s);
  gv_ensemble_stats stl;
  if (!stats) stats = &stl;
  memset(stats, 0, sizeof *stats);
  double t0 = gv_wall_time();
  if (!o || !o->dir || !o->fingerprint || !compute) return GV_ERROR(GV_EINVAL, "ensemble run: missing options");
  if (o->samples < 1) return GV_ERROR(GV_EINVAL, "ensemble run: need at least one sample (got %ld)", o->samples);
  GV_TRY(gv_ensemble_comm_init());
  const int rank = gv_ensemble_rank(), nranks = gv_ensemble_nranks();
  const int level = gv_ensemble_comm_thread_level_();
  stats->rank = rank;
  stats->nranks = nranks;
  stats->samples = o->samples;
  s.o = o;
  s.compute = compute;
  s.ctx = ctx;
  s.fp = gv_ensemble_hash64(o->fingerprint);
  s.stale_s = o->stale_s > 0 ? o->stale_s : 600;
  pthread_mutex_init(&s.mu, NULL);
  pthread_cond_init(&s.hb_cv, NULL);
  int nthreads = o->parallel_samples > 1 ? o->parallel_samples : 1;
  if (nranks > 1 && level < 2) nthreads = 1; /* MPI without SERIALIZED: only the main thread may call MPI */
  long M = o->samples;

  if (rank == 0) {
    double ts = gv_wall_time();
    int pst = gv_ens_dir_prepare_(o, s.fp);
    if (pst < 0) {
      set_stop(&s, pst, "sample %ld: %s", gv_error_message(), -1, -1);
      snprintf(s.errmsg, sizeof s.errmsg, "%s", gv_error_message());
    } else {
      s.todo = malloc((size_t)M * sizeof *s.todo);
      s.deferred = malloc((size_t)M * sizeof *s.deferred);
      s.nheld_cap = (long)nthreads + nranks + 1;
      s.held = malloc((size_t)s.nheld_cap * sizeof *s.held);
      if (!s.todo || !s.deferred || !s.held) {
        set_stop(&s, GV_ENOMEM, "sample %ld: %s", "out of memory", -1, -1);
      } else {
        for (long i = 0; i < s.nheld_cap; i++) s.held[i] = -1;
        gv_ensemble_record *chk = NULL;
        int cst = gv_ensemble_record_create(&chk);
        for (long k = 0; k < M && !cst; k++) {
          int ls = gv_ens_rec_load_(o->dir, k, s.fp, chk);
          if (ls == GV_OK && o->validate && o->validate(ctx, k, chk) != GV_OK) {
            gv_error_context(GV_EFORMAT, "sample %ld: ", k);
            ls = GV_EFORMAT;
          }
          if (ls == GV_OK) {
            stats->resumed++;
            continue;
          }
          if (ls == GV_EFORMAT) { /* corrupt or foreign: keep it aside, recompute */
            char rp[4096], bp[4200];
            gv_ens_rec_path_(o->dir, k, rp, sizeof rp);
            snprintf(bp, sizeof bp, "%.*s.bad", (int)(strlen(rp) - 4), rp);
            gv_log(GV_LOG_INFO, "ensemble: %s; recomputing sample %ld", gv_error_message(), k);
            rename(rp, bp);
            stats->corrupt++;
          } else if (ls != GV_EIO) {
            cst = ls;
            break;
          }
          gv_error_clear();
          s.todo[s.ntodo++] = k;
        }
        gv_ensemble_record_destroy(&chk);
        if (cst) set_stop(&s, cst, "sample %ld: %s", gv_error_message(), -1, -1);
      }
    }
    s.done = stats->resumed;
    stats->scan_s = gv_wall_time() - ts;
    if (s.stop >= 0) {
      gv_log(GV_LOG_INFO, "ensemble: %ld samples, %ld already done%s%ld to compute on %d rank%s x %d thread%s", M,
             stats->resumed, stats->corrupt ? " (corrupt records recomputed), " : ", ", s.ntodo, nranks,
             nranks > 1 ? "s" : "", nthreads, nthreads > 1 ? "s" : "");
      s.show_progress = o->label && s.ntodo > 0;
      if (s.show_progress) {
        gv_progress_begin(&s.prog, o->label, (double)M);
        gv_progress_update(&s.prog, (double)s.done);
      }
      if (pthread_create(&s.hb, NULL, heartbeat, &s) == 0) s.hb_running = 1;
    }
  }

#ifdef GV_HAVE_MPI
  if (nranks > 1) {
    if (rank == 0) {
      dispatcher_arg da = {&s, nranks};
      pthread_t disp;
      int have_thread = level >= 2 && pthread_create(&disp, NULL, dispatcher, &da) == 0;
      if (have_thread) {
        if (s.stop >= 0) local_workers(&s, nthreads);
        pthread_join(disp, NULL);
      } else {
        dispatcher(&da); /* rank 0 only dispatches */
      }
    } else {
      worker_state w;
      memset(&w, 0, sizeof w);
      pthread_mutex_init(&w.mu, NULL);
      w.fp = s.fp;
      remote_workers(&s, &w, nthreads);
      stats->computed_here = w.computed_here;
      pthread_mutex_destroy(&w.mu);
    }
  } else
#endif
  if (s.stop >= 0) {
    local_workers(&s, nthreads);
  }

  if (rank == 0) {
    if (s.hb_running) {
      pthread_mutex_lock(&s.mu);
      s.hb_quit = 1;
      pthread_cond_signal(&s.hb_cv);
      pthread_mutex_unlock(&s.mu);
      pthread_join(s.hb, NULL);
    }
    if (s.show_progress) gv_progress_end(&s.prog);
    status = s.stop < 0 ? s.stop : GV_OK;
    if (status == GV_OK) {
      for (long k = 0; k < M; k++)
        if (!gv_ens_rec_exists_(o->dir, k)) stats->pending++;
      if (stats->pending) status = GV_ENSEMBLE_PENDING;
      else if (s.worst_info > 0) status = s.worst_info;
    }
    stats->computed = s.computed;
    stats->computed_here = s.computed_here;
    stats->worst = s.worst_info;
    stats->commit_s = s.commit_s;
  }
#ifdef GV_HAVE_MPI
  if (nranks > 1) { /* every rank returns rank 0's verdict */
    long long v[4] = {status, stats->computed, stats->resumed, stats->pending};
    MPI_Bcast(v, 4, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
    MPI_Bcast(s.errmsg, sizeof s.errmsg, MPI_CHAR, 0, MPI_COMM_WORLD);
    status = (int)v[0];
    stats->computed = (long)v[1];
    stats->resumed = (long)v[2];
    stats->pending = (long)v[3];
  }
#endif
  if (status < 0 && rank == 0 && stats->resumed == 0) gv_ens_dir_drop_if_empty_(o->dir);
  if (status < 0) status = GV_ERROR(status, "ensemble %s: %s", o->dir, s.errmsg);
  stats->wall_s = gv_wall_time() - t0;
  if (rank == 0 && status >= 0 && stats->computed > 0)
    gv_log(GV_LOG_INFO, "ensemble: %ld computed (%ld here), %ld resumed in %.3f s; scan %.3f s, record commits %.3f s (%.2f%%)",
           stats->computed, stats->computed_here, stats->resumed, stats->wall_s, stats->scan_s, stats->commit_s,
           100 * stats->commit_s / (stats->wall_s > 0 ? stats->wall_s : 1));
cleanup:
  if (s.o) {
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.hb_cv);
  }
  free(s.todo);
  free(s.deferred);
  free(s.held);
  return status;
}

int gv_ensemble_merge(const gv_ensemble_opts *o, gv_ensemble_merge_fn merge, void *ctx) {
  int status = GV_OK;
  gv_ensemble_record *r = NULL;
  if (!o || !o->dir || !o->fingerprint || !merge) return GV_ERROR(GV_EINVAL, "ensemble merge: missing options");
  if (!gv_ensemble_is_root()) return GV_OK;
  uint64_t fp = gv_ensemble_hash64(o->fingerprint);
  double t0 = gv_wall_time();
  GV_TRY(gv_ensemble_record_create(&r));
  for (long k = 0; k < o->samples; k++) {
    status = gv_ens_rec_load_(o->dir, k, fp, r);
    if (status == GV_EIO) {
      status = GV_ERROR(GV_EIO, "ensemble %s: sample %ld has no record; re-run the command to compute it", o->dir, k);
      goto cleanup;
    }
    if (status < 0) {
      gv_error_context(status, "ensemble merge (re-run the command to recompute it): ");
      goto cleanup;
    }
    GV_TRY(merge(ctx, k, r));
    if (gv_interrupted()) {
      status = GV_ERROR(GV_EINTERRUPTED, "interrupted while merging");
      goto cleanup;
    }
  }
  gv_log(GV_LOG_INFO, "ensemble: merged %ld records in %.3f s", o->samples, gv_wall_time() - t0);
cleanup:
  gv_ensemble_record_destroy(&r);
  return status;
}
