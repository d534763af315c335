/* Ensemble engine: records (CRC, corruption, fingerprints), serial and threaded
 * runs, resume after SIGTERM and SIGKILL, corrupt-record recovery, claims of
 * other processes, parameter refusal, extension, progress. The merged byte
 * string must be bitwise identical in every case. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ens_synth.h"
#include "glassvib/ensemble.h"
#include "testlib.h"

#define FP "synthetic seed=20261123 v=2.385"

static int count_ext(const char *dir, const char *ext) {
  DIR *d = opendir(dir);
  int n = 0;
  if (!d) return 0;
  struct dirent *e;
  size_t el = strlen(ext);
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (l > el && !strcmp(e->d_name + l - el, ext)) n++;
  }
  closedir(d);
  return n;
}

static int run_merge(const char *dir, const char *fp, long M, int threads, synth_ctx *c, synth_merged *m,
                     gv_ensemble_stats *st) {
  gv_ensemble_opts o = {dir, fp, M, threads, NULL, 0, NULL};
  int status = gv_ensemble_run(&o, synth_compute, c, st);
  if (status != GV_OK) return status;
  memset(m, 0, sizeof *m);
  m->order_ok = 1;
  return gv_ensemble_merge(&o, synth_merge, m);
}

static void on_term(int sig) {
  (void)sig;
  gv_interrupt_request();
}

/* Child mode: run with a per-sample sleep until done or interrupted. */
static int worker(const char *dir, long M, double sleep_s) {
  signal(SIGTERM, on_term);
  gv_log_set_level(GV_LOG_QUIET);
  synth_ctx c = {GV_DEFAULT_SEED, sleep_s, -1, 0};
  gv_ensemble_opts o = {dir, FP, M, 1, NULL, 0, NULL};
  gv_ensemble_stats st;
  int status = gv_ensemble_run(&o, synth_compute, &c, &st);
  /* exit code: 3 interrupted, 4 error, else 10 (all done) or 50 (pending) + samples computed */
  if (status == GV_EINTERRUPTED) return 3;
  if (status != GV_OK && status != GV_ENSEMBLE_PENDING) return 4;
  return (status == GV_OK ? 10 : 50) + (int)st.computed_here;
}

static pid_t spawn_worker(const char *dir, long M, double sleep_s) {
  pid_t pid = fork();
  if (pid == 0) {
    char ms[32], ss[32];
    snprintf(ms, sizeof ms, "%ld", M);
    snprintf(ss, sizeof ss, "%g", sleep_s);
    execl("/proc/self/exe", "test_run", "--worker", dir, ms, ss, (char *)NULL);
    _exit(127);
  }
  return pid;
}

static void kill_and_resume(const char *base, int sig, long M, const synth_merged *ref) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/kill%d.parts", base, sig);
  pid_t pid = spawn_worker(dir, M, 0.03);
  CHECK(pid > 0, "fork failed");
  for (int i = 0; i < 400 && count_ext(dir, ".rec") < 4; i++) usleep(20000);
  int before = count_ext(dir, ".rec");
  kill(pid, sig);
  int ws = 0;
  waitpid(pid, &ws, 0);
  if (sig == SIGTERM)
    CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 3, "SIGTERM: worker should stop with 'interrupted' (status %d)", ws);
  else
    CHECK(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL, "SIGKILL: worker should die (status %d)", ws);
  int after = count_ext(dir, ".rec");
  CHECK(before >= 4 && after < M, "signal %d: the run should be part-way (%d then %d of %ld records)", sig, before,
        after, M);
  if (sig == SIGTERM) CHECK(count_ext(dir, ".claim") == 0, "SIGTERM: claims must be released");
  /* resume in this process */
  synth_ctx c = {GV_DEFAULT_SEED, 0, -1, 0};
  synth_merged m;
  gv_ensemble_stats st;
  CHECK_OK(run_merge(dir, FP, M, 1, &c, &m, &st));
  CHECK(st.resumed == after && st.computed == M - after, "signal %d: resumed %ld computed %ld (had %d)", sig,
        st.resumed, st.computed, after);
  CHECK(m.n == ref->n && !memcmp(m.buf, ref->buf, m.n), "signal %d: resumed merge differs from the uninterrupted run",
        sig);
  free(m.buf);
}

static void flip_byte(const char *path, long off) {
  int fd = open(path, O_RDWR);
  unsigned char b;
  if (fd < 0) return;
  if (pread(fd, &b, 1, off) == 1) {
    b ^= 0x10;
    if (pwrite(fd, &b, 1, off) != 1) perror("pwrite");
  }
  close(fd);
}

int main(int argc, char **argv) {
  if (argc == 5 && !strcmp(argv[1], "--worker")) return worker(argv[2], atol(argv[3]), atof(argv[4]));
  gv_log_set_level(GV_LOG_QUIET);
  const char *tmp = tl_tmpdir();
  char dir[4096], p[4200];
  const long M = 23;

  /* ---- CRC-32 check value and record round trip */
  CHECK(gv_ensemble_crc32(0, "123456789", 9) == 0xcbf43926u, "CRC-32 check value");
  CHECK(gv_ensemble_crc32(gv_ensemble_crc32(0, "1234", 4), "56789", 5) == 0xcbf43926u, "CRC-32 is incremental");
  {
    gv_ensemble_record *r = NULL, *q = NULL;
    CHECK_OK(gv_ensemble_record_create(&r));
    CHECK_OK(gv_ensemble_record_create(&q));
    synth_ctx c = {7, 0, -1, 0};
    CHECK_OK(synth_compute(&c, 4, r));
    CHECK(gv_ensemble_record_put_double(r, "sum", 1) == GV_EINVAL, "duplicate field name refused");
    void *b = NULL;
    size_t nb = 0;
    uint64_t fp = gv_ensemble_hash64(FP);
    CHECK_OK(gv_ensemble_record_pack(r, fp, &b, &nb));
    CHECK_OK(gv_ensemble_record_unpack(q, b, nb, fp, -1));
    size_t n1, n2;
    const double *v1 = gv_ensemble_record_doubles(r, "values", &n1), *v2 = gv_ensemble_record_doubles(q, "values", &n2);
    CHECK(v1 && v2 && n1 == 9 && n2 == n1 && !memcmp(v1, v2, n1 * 8), "record round trip");
    CHECK(gv_ensemble_record_int64s(q, "values", &n2) == NULL, "type is checked");
    CHECK(gv_ensemble_record_unpack(q, b, nb, fp ^ 1, -1) == GV_EFORMAT, "fingerprint mismatch detected");
    CHECK(gv_ensemble_record_unpack(q, b, nb - 3, fp, -1) == GV_EFORMAT, "truncation detected");
    int undetected = 0;
    for (size_t off = 0; off < nb; off += 3) { /* every third byte flipped in turn */
      ((unsigned char *)b)[off] ^= 0x04;
      if (gv_ensemble_record_unpack(q, b, nb, fp, -1) != GV_EFORMAT) undetected++;
      ((unsigned char *)b)[off] ^= 0x04;
    }
    CHECK(undetected == 0, "%d single-bit corruptions not detected", undetected);
    free(b);
    gv_ensemble_record_destroy(&r);
    gv_ensemble_record_destroy(&q);
  }

  /* ---- reference serial run, then resume with nothing to do */
  synth_merged ref, m;
  gv_ensemble_stats st;
  synth_ctx c = {GV_DEFAULT_SEED, 0, -1, 0};
  snprintf(dir, sizeof dir, "%s/ref.parts", tmp);
  CHECK_OK(run_merge(dir, FP, M, 1, &c, &ref, &st));
  CHECK(ref.order_ok && ref.next == M, "merge visits samples in order");
  CHECK(st.computed == M && st.resumed == 0 && st.nranks == 1, "fresh run computes all (%ld)", st.computed);
  CHECK(count_ext(dir, ".rec") == M && count_ext(dir, ".claim") == 0, "one record per sample, no claims left");
  c.calls = 0;
  CHECK_OK(run_merge(dir, FP, M, 1, &c, &m, &st));
  CHECK(c.calls == 0 && st.resumed == M, "complete run re-run computes nothing (%ld calls)", c.calls);
  CHECK(m.n == ref.n && !memcmp(m.buf, ref.buf, m.n), "re-run merge identical");
  free(m.buf);

  /* ---- progress */
  gv_ensemble_progress_info pi;
  snprintf(p, sizeof p, "%s/ref", tmp); /* the output name; its .parts is found */
  CHECK_OK(gv_ensemble_progress(p, 1, &pi));
  CHECK(pi.samples == M && pi.done == M && pi.corrupt == 0 && pi.in_flight == 0, "progress %ld/%ld", pi.done, pi.samples);
  CHECK(!strcmp(pi.fingerprint, FP), "manifest keeps the fingerprint");

  /* ---- corrupt records: detected, set aside, recomputed, never merged */
  snprintf(p, sizeof p, "%s/s%010ld.rec", dir, 5L);
  flip_byte(p, 60);
  CHECK_OK(gv_ensemble_progress(dir, 1, &pi));
  CHECK(pi.done == M - 1 && pi.corrupt == 1, "progress --verify sees the corrupt record");
  {
    gv_ensemble_opts o = {dir, FP, M, 1, NULL, 0, NULL};
    synth_merged bad = {0};
    bad.order_ok = 1;
    CHECK(gv_ensemble_merge(&o, synth_merge, &bad) == GV_EFORMAT, "merge refuses a corrupt record");
    free(bad.buf);
  }
  snprintf(p, sizeof p, "%s/s%010ld.rec", dir, 11L);
  CHECK(truncate(p, 40) == 0, "truncate"); /* torn write */
  c.calls = 0;
  CHECK_OK(run_merge(dir, FP, M, 1, &c, &m, &st));
  CHECK(st.corrupt == 2 && st.computed == 2 && c.calls == 2, "2 corrupt records recomputed (corrupt %ld, computed %ld)",
        st.corrupt, st.computed);
  CHECK(count_ext(dir, ".bad") == 2, "corrupt records kept aside as .bad");
  CHECK(m.n == ref.n && !memcmp(m.buf, ref.buf, m.n), "merge after recomputation identical");
  free(m.buf);

  /* ---- other parameters: refused, directory untouched */
  {
    gv_ensemble_opts o = {dir, FP " J=0.5", M, 1, NULL, 0, NULL};
    c.calls = 0;
    CHECK(gv_ensemble_run(&o, synth_compute, &c, &st) == GV_EINVAL && c.calls == 0, "other fingerprint refused");
    CHECK(strstr(gv_error_message(), "other parameters") != NULL, "message names the cause: %s", gv_error_message());
    CHECK(count_ext(dir, ".rec") == M, "records kept after refusal");
  }

  /* ---- threads over samples: same bytes */
  snprintf(dir, sizeof dir, "%s/thr.parts", tmp);
  CHECK_OK(run_merge(dir, FP, M, 3, &c, &m, &st));
  CHECK(st.computed == M && m.n == ref.n && !memcmp(m.buf, ref.buf, m.n), "3 threads: identical merge");
  free(m.buf);
  gv_ensemble_opts fo = {dir, FP, M, 1, NULL, 0, NULL};
  CHECK_OK(gv_ensemble_finish(&fo));
  CHECK(access(dir, F_OK) != 0, "finish removes the run directory");

  /* ---- a failing sample stops the run with its message; a fixed re-run completes */
  snprintf(dir, sizeof dir, "%s/fail.parts", tmp);
  synth_ctx cf = {GV_DEFAULT_SEED, 0, 7, 0};
  {
    gv_ensemble_opts o = {dir, FP, M, 1, NULL, 0, NULL};
    int s = gv_ensemble_run(&o, synth_compute, &cf, &st);
    CHECK(s == GV_ENUMERIC && strstr(gv_error_message(), "sample 7"), "failure reported: %d %s", s, gv_error_message());
    snprintf(p, sizeof p, "%s/s%010ld.rec", dir, 7L);
    CHECK(access(p, F_OK) != 0 && count_ext(dir, ".claim") == 0, "no record or claim for the failed sample");
  }
  cf.fail_sample = -1;
  CHECK_OK(run_merge(dir, FP, M, 1, &cf, &m, &st));
  CHECK(st.resumed == 7 && m.n == ref.n && !memcmp(m.buf, ref.buf, m.n), "re-run after failure identical (resumed %ld)",
        st.resumed);
  free(m.buf);

  /* ---- claims: a live process's claim is left alone (PENDING); dead or stale ones are taken over */
  snprintf(dir, sizeof dir, "%s/claim.parts", tmp);
  mkdir(dir, 0755);
  char host[256];
  gethostname(host, sizeof host);
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, NULL, 0);
  FILE *f;
  snprintf(p, sizeof p, "%s/s%010ld.claim", dir, 3L);
  if ((f = fopen(p, "w"))) fprintf(f, "%s %ld\n", host, (long)getppid()), fclose(f); /* alive */
  snprintf(p, sizeof p, "%s/s%010ld.claim", dir, 4L);
  if ((f = fopen(p, "w"))) fprintf(f, "%s %ld\n", host, (long)dead), fclose(f); /* process gone */
  snprintf(p, sizeof p, "%s/s%010ld.claim", dir, 9L);
  if ((f = fopen(p, "w"))) fprintf(f, "some-other-node 12345\n"), fclose(f);
  struct timespec old[2] = {{time(NULL) - 3600, 0}, {time(NULL) - 3600, 0}};
  utimensat(AT_FDCWD, p, old, 0); /* not refreshed for an hour */
  snprintf(p, sizeof p, "%s/s%010ld.claim", dir, 12L);
  if ((f = fopen(p, "w"))) fprintf(f, "some-other-node 12345\n"), fclose(f); /* fresh, other host */
  {
    gv_ensemble_opts o = {dir, FP, M, 2, NULL, 0, NULL};
    int s = gv_ensemble_run(&o, synth_compute, &c, &st);
    CHECK(s == GV_ENSEMBLE_PENDING && st.pending == 2 && st.computed == M - 2,
          "live claims left to their owners: status %d pending %ld computed %ld", s, st.pending, st.computed);
    CHECK_OK(gv_ensemble_progress(dir, 0, &pi));
    CHECK(pi.done == M - 2 && pi.in_flight == 2, "progress: %ld done, %ld in flight", pi.done, pi.in_flight);
    /* the other processes "finish": their claims go, the last run merges */
    snprintf(p, sizeof p, "%s/s%010ld.claim", dir, 3L);
    unlink(p);
    snprintf(p, sizeof p, "%s/s%010ld.claim", dir, 12L);
    unlink(p);
  }
  CHECK_OK(run_merge(dir, FP, M, 1, &c, &m, &st));
  CHECK(st.computed == 2 && m.n == ref.n && !memcmp(m.buf, ref.buf, m.n), "claims resolved: identical merge");
  free(m.buf);

  /* ---- extending a run: same parameters, more samples */
  snprintf(dir, sizeof dir, "%s/ref.parts", tmp);
  CHECK_OK(run_merge(dir, FP, M + 6, 1, &c, &m, &st));
  CHECK(st.resumed == M && st.computed == 6, "extension computes only new samples");
  CHECK(m.n > ref.n && !memcmp(m.buf, ref.buf, ref.n), "extension keeps the first M samples' bytes");
  CHECK_OK(gv_ensemble_progress(dir, 0, &pi));
  CHECK(pi.samples == M + 6, "manifest updated to the new sample count");
  free(m.buf);

  /* ---- two independent processes on one run directory share the work through claims */
  {
    snprintf(dir, sizeof dir, "%s/two.parts", tmp);
    pid_t a = spawn_worker(dir, M, 0.01), b = spawn_worker(dir, M, 0.01);
    int wa = 0, wb = 0;
    waitpid(a, &wa, 0);
    waitpid(b, &wb, 0);
    int ea = WIFEXITED(wa) ? WEXITSTATUS(wa) : -1, eb = WIFEXITED(wb) ? WEXITSTATUS(wb) : -1;
    int ca = ea >= 50 ? ea - 50 : ea - 10, cb = eb >= 50 ? eb - 50 : eb - 10;
    CHECK(ea >= 10 && eb >= 10 && ca + cb == M, "two processes: exits %d %d, computed %d + %d (expected %ld in all)", ea,
          eb, ca, cb, M);
    CHECK(ca > 0 && cb > 0, "both processes got work (%d, %d)", ca, cb);
    CHECK(ea < 50 || eb < 50, "the last process to finish sees the run complete (%d, %d)", ea, eb);
    c.calls = 0;
    CHECK_OK(run_merge(dir, FP, M, 1, &c, &m, &st));
    CHECK(c.calls == 0 && m.n == ref.n && !memcmp(m.buf, ref.buf, m.n), "two processes: identical merge, nothing left");
    free(m.buf);
  }

  /* ---- kill mid-way (SIGTERM, then SIGKILL), resume, compare */
  kill_and_resume(tmp, SIGTERM, M, &ref);
  kill_and_resume(tmp, SIGKILL, M, &ref);

  free(ref.buf);
  return tl_finish();
}
