/* The run directory of an ensemble: manifest, per-sample records, claims, and
 * progress inspection (docs/cluster.md).
 *
 *   OUT.parts/manifest          "glassvib ensemble run directory v1", fingerprint,
 *                               its hash, samples M, creation date (created with
 *                               link(2), so concurrent starters agree on one)
 *   OUT.parts/sNNNNNNNNNN.rec   one committed sample (record.c layout; temp file,
 *                               fsync, rename)
 *   OUT.parts/sNNNNNNNNNN.claim "host pid" of the process computing it
 *   OUT.parts/sNNNNNNNNNN.bad   a record that failed verification (kept for inspection)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ensemble/ensemble_internal.h"

#define MANIFEST_HEAD "glassvib ensemble run directory v1"

int gv_ensemble_parts_path(const char *out, char *buf, size_t n) {
  if (!out || !*out || !buf) return GV_ERROR(GV_EINVAL, "ensemble: empty output path");
  if ((size_t)snprintf(buf, n, "%s.parts", out) >= n) return GV_ERROR(GV_EINVAL, "ensemble: path too long");
  return GV_OK;
}

void gv_ens_rec_path_(const char *dir, long k, char *buf, size_t n) { snprintf(buf, n, "%s/s%010ld.rec", dir, k); }
void gv_ens_claim_path_(const char *dir, long k, char *buf, size_t n) { snprintf(buf, n, "%s/s%010ld.claim", dir, k); }

static int read_all(const char *path, unsigned char **buf, size_t *n) {
  *buf = NULL;
  *n = 0;
  FILE *fp = fopen(path, "rb");
  if (!fp) return GV_EIO;
  struct stat st;
  if (fstat(fileno(fp), &st) != 0) {
    fclose(fp);
    return GV_EIO;
  }
  size_t len = (size_t)st.st_size;
  unsigned char *b = malloc(len ? len : 1);
  if (!b) {
    fclose(fp);
    return GV_ERROR(GV_ENOMEM, "out of memory reading %s", path);
  }
  size_t got = len ? fread(b, 1, len, fp) : 0;
  fclose(fp);
  if (got != len) {
    free(b);
    return GV_ERROR(GV_EFORMAT, "%s: short read", path);
  }
  *buf = b;
  *n = len;
  return GV_OK;
}

/* One line "key value" from the manifest text. */
static int manifest_get(const char *text, const char *key, char *val, size_t n) {
  size_t kl = strlen(key);
  for (const char *p = text; p && *p;) {
    const char *e = strchr(p, '\n');
    size_t ll = e ? (size_t)(e - p) : strlen(p);
    if (ll > kl && !strncmp(p, key, kl) && p[kl] == ' ') {
      size_t vl = ll - kl - 1;
      if (vl >= n) vl = n - 1;
      memcpy(val, p + kl + 1, vl);
      val[vl] = 0;
      return 1;
    }
    p = e ? e + 1 : NULL;
  }
  return 0;
}

static int write_manifest_tmp(const char *dir, const gv_ensemble_opts *o, uint64_t fp, const char *created,
                              char *tmp, size_t ntmp) {
  snprintf(tmp, ntmp, "%s/manifest.tmp.XXXXXX", dir);
  int fd = mkstemp(tmp);
  if (fd < 0) return GV_ERROR(GV_EIO, "cannot write in run directory %s: %s", dir, strerror(errno));
  FILE *f = fdopen(fd, "w");
  if (!f) {
    close(fd);
    unlink(tmp);
    return GV_ERROR(GV_EIO, "cannot write in run directory %s", dir);
  }
  fchmod(fd, 0644);
  fprintf(f, "%s\nfingerprint ", MANIFEST_HEAD);
  for (const char *c = o->fingerprint; *c; c++) fputc(*c == '\n' || *c == '\r' ? ' ' : *c, f);
  fprintf(f, "\nhash %016llx\nsamples %ld\ncreated %s\n", (unsigned long long)fp, o->samples, created);
  int bad = fflush(f) != 0 || fsync(fd) != 0;
  bad |= fclose(f) != 0;
  if (bad) {
    unlink(tmp);
    return GV_ERROR(GV_EIO, "cannot write the manifest of %s", dir);
  }
  return GV_OK;
}

int gv_ens_dir_prepare_(const gv_ensemble_opts *o, uint64_t fp) {
  int status = GV_OK;
  char path[4096], tmp[4096];
  unsigned char *text = NULL;
  size_t n = 0;
  if (mkdir(o->dir, 0755) != 0 && errno != EEXIST)
    return GV_ERROR(GV_EIO, "cannot create run directory %s: %s", o->dir, strerror(errno));
  struct stat st;
  if (stat(o->dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return GV_ERROR(GV_EIO, "run directory %s is not a directory", o->dir);
  snprintf(path, sizeof path, "%s/manifest", o->dir);
  char created[64];
  gv_provenance_date(created, sizeof created);
  if (read_all(path, &text, &n) != GV_OK) {
    gv_error_clear();
    GV_TRY(write_manifest_tmp(o->dir, o, fp, created, tmp, sizeof tmp));
    /* link(2) fails if another process created the manifest first: then compare with theirs. */
    int lr = link(tmp, path);
    int le = errno;
    unlink(tmp);
    if (lr != 0 && le != EEXIST) return GV_ERROR(GV_EIO, "cannot create %s: %s", path, strerror(le));
    if (lr == 0) return GV_OK;
    if (read_all(path, &text, &n) != GV_OK) return GV_ERROR(GV_EIO, "cannot read %s", path);
  }
  {
    char *t = realloc(text, n + 1);
    if (!t) {
      status = GV_ERROR(GV_ENOMEM, "out of memory");
      goto cleanup;
    }
    text = (unsigned char *)t;
    text[n] = 0;
    char val[1024] = "", fpv[64] = "";
    if (strncmp((char *)text, MANIFEST_HEAD, strlen(MANIFEST_HEAD)) || !manifest_get((char *)text, "hash", val, sizeof val)) {
      status = GV_ERROR(GV_EFORMAT, "%s is not a glassvib run directory manifest; remove %s", path, o->dir);
      goto cleanup;
    }
    snprintf(fpv, sizeof fpv, "%016llx", (unsigned long long)fp);
    if (strcmp(val, fpv)) {
      char old[1024] = "?";
      manifest_get((char *)text, "fingerprint", old, sizeof old);
      status = GV_ERROR(GV_EINVAL,
                        "run directory %s belongs to a run with other parameters (%s); remove it or choose "
                        "another output name",
                        o->dir, old);
      goto cleanup;
    }
    /* Same parameters, other sample count (a run extended or shortened): record the new M. */
    if (manifest_get((char *)text, "samples", val, sizeof val) && atol(val) != o->samples) {
      char cr[64] = "";
      if (!manifest_get((char *)text, "created", cr, sizeof cr)) snprintf(cr, sizeof cr, "%s", created);
      GV_TRY(write_manifest_tmp(o->dir, o, fp, cr, tmp, sizeof tmp));
      if (rename(tmp, path) != 0) {
        unlink(tmp);
        status = GV_ERROR(GV_EIO, "cannot update %s: %s", path, strerror(errno));
      }
    }
  }
cleanup:
  free(text);
  return status;
}

int gv_ens_rec_exists_(const char *dir, long k) {
  char p[4096];
  gv_ens_rec_path_(dir, k, p, sizeof p);
  return access(p, F_OK) == 0;
}

int gv_ens_rec_load_(const char *dir, long k, uint64_t fp, gv_ensemble_record *r) {
  char p[4096];
  unsigned char *b = NULL;
  size_t n = 0;
  gv_ens_rec_path_(dir, k, p, sizeof p);
  int status = read_all(p, &b, &n);
  if (status == GV_EIO) return GV_EIO; /* absent: not an error to record */
  if (status) return status;
  gv_ensemble_record *tmp = NULL;
  if (!r) {
    status = gv_ensemble_record_create(&tmp);
    if (status) {
      free(b);
      return status;
    }
    r = tmp;
  }
  status = gv_ensemble_record_unpack(r, b, n, fp, k);
  if (status) gv_error_context(status, "%s: ", p);
  gv_ensemble_record_destroy(&tmp);
  free(b);
  return status;
}

int gv_ens_rec_write_(const char *dir, long k, const void *buf, size_t nbytes) {
  char p[4096], tmp[4200];
  gv_ens_rec_path_(dir, k, p, sizeof p);
  snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", p);
  int fd = mkstemp(tmp);
  if (fd < 0) return GV_ERROR(GV_EIO, "cannot write record %s: %s", p, strerror(errno));
  fchmod(fd, 0644);
  const unsigned char *b = buf;
  size_t off = 0;
  while (off < nbytes) {
    ssize_t w = write(fd, b + off, nbytes - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      int e = errno;
      close(fd);
      unlink(tmp);
      return GV_ERROR(GV_EIO, "cannot write record %s: %s", p, strerror(e));
    }
    off += (size_t)w;
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(tmp);
    return GV_ERROR(GV_EIO, "cannot sync record %s: %s", p, strerror(errno));
  }
  if (rename(tmp, p) != 0) {
    int e = errno;
    unlink(tmp);
    return GV_ERROR(GV_EIO, "cannot commit record %s: %s", p, strerror(e));
  }
  /* No fsync of the directory (it doubled the commit cost, ~5 -> 10 ms here): a rename
   * lost in an OS crash only means that this sample is recomputed, and a torn
   * record can never be accepted (length + CRC), so correctness needs no fsync. */
  return GV_OK;
}

/* ---------------------------------------------------------------- claims */
static void host_name(char *buf, size_t n) {
  if (gethostname(buf, n) != 0) snprintf(buf, n, "unknown");
  buf[n - 1] = 0;
  for (char *c = buf; *c; c++)
    if (*c == ' ' || *c == '\n') *c = '_';
}

/* A claim is stale if its process is gone (same host) or it has not been
 * refreshed for stale_s seconds (other hosts, or a recycled pid). */
static int claim_stale(const char *path, double stale_s) {
  struct stat st;
  if (stat(path, &st) != 0) return 1;
  if (difftime(time(NULL), st.st_mtime) > stale_s) return 1;
  FILE *f = fopen(path, "r");
  if (!f) return 1;
  char host[256] = "", me[256];
  long pid = 0;
  int ok = fscanf(f, "%255s %ld", host, &pid) == 2;
  fclose(f);
  if (!ok) return 1; /* claims are created with their content (link(2)): this is garbage */
  host_name(me, sizeof me);
  if (strcmp(host, me)) return 0;
  if (pid == (long)getpid()) return 0; /* ours */
  return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* The claim is written under a private name and link(2)ed into place, which fails
 * if the claim exists: exclusive like O_EXCL, and a claim is never seen empty
 * (a process killed between create and write would otherwise leave one). */
int gv_ens_claim_(const char *dir, long k, double stale_s) {
  char p[4096], tmp[4400], line[320], host[256];
  gv_ens_claim_path_(dir, k, p, sizeof p);
  host_name(host, sizeof host);
  int len = snprintf(line, sizeof line, "%s %ld\n", host, (long)getpid());
  snprintf(tmp, sizeof tmp, "%s.%s.%ld.tmp", p, host, (long)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return GV_ERROR(GV_EIO, "cannot create claim %s: %s", tmp, strerror(errno));
  ssize_t w = write(fd, line, (size_t)len);
  close(fd);
  if (w != len) {
    unlink(tmp);
    return GV_ERROR(GV_EIO, "cannot write claim %s", tmp);
  }
  int result = 0;
  for (int attempt = 0; attempt < 2; attempt++) {
    if (link(tmp, p) == 0) {
      result = 1;
      break;
    }
    if (errno != EEXIST) {
      result = GV_ERROR(GV_EIO, "cannot create claim %s: %s", p, strerror(errno));
      break;
    }
    if (!claim_stale(p, stale_s)) break;
    gv_log(GV_LOG_DEBUG, "ensemble: taking over stale claim %s", p);
    unlink(p);
  }
  unlink(tmp);
  return result;
}

void gv_ens_claim_release_(const char *dir, long k) {
  char p[4096];
  gv_ens_claim_path_(dir, k, p, sizeof p);
  unlink(p);
}

void gv_ens_claim_touch_(const char *dir, long k) {
  char p[4096];
  gv_ens_claim_path_(dir, k, p, sizeof p);
  utimensat(AT_FDCWD, p, NULL, 0);
}

/* -------------------------------------------------------------- cleanup */
int gv_ensemble_finish(const gv_ensemble_opts *o) {
  if (!o || !o->dir) return GV_ERROR(GV_EINVAL, "ensemble finish: no run directory");
  if (!gv_ensemble_is_root()) return GV_OK;
  DIR *d = opendir(o->dir);
  if (!d) return GV_OK;
  struct dirent *e;
  char p[4096];
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(p, sizeof p, "%s/%s", o->dir, e->d_name);
    unlink(p);
  }
  closedir(d);
  if (rmdir(o->dir) != 0) return GV_ERROR(GV_EIO, "cannot remove run directory %s: %s", o->dir, strerror(errno));
  return GV_OK;
}

/* A run directory that holds nothing but its manifest (a run that failed before
 * any sample was committed, e.g. on a bad input) is removed: nothing to resume. */
void gv_ens_dir_drop_if_empty_(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  int other = 0;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "manifest")) other = 1;
  closedir(d);
  if (other) return;
  char p[4096];
  snprintf(p, sizeof p, "%s/manifest", dir);
  unlink(p);
  rmdir(dir);
}

/* ------------------------------------------------------------- progress */
int gv_ensemble_progress(const char *path, int verify, gv_ensemble_progress_info *p) {
  if (!path || !p) return GV_ERROR(GV_EINVAL, "ensemble progress: NULL");
  memset(p, 0, sizeof *p);
  p->first_s = p->last_s = p->rate = NAN;
  struct stat st;
  char man[4096];
  snprintf(p->dir, sizeof p->dir, "%s", path);
  snprintf(man, sizeof man, "%s/manifest", p->dir);
  if (stat(man, &st) != 0) {
    snprintf(p->dir, sizeof p->dir, "%s.parts", path);
    snprintf(man, sizeof man, "%s/manifest", p->dir);
    if (stat(man, &st) != 0) return GV_ERROR(GV_EIO, "no ensemble run directory for %s (%s.parts)", path, path);
  }
  unsigned char *text = NULL;
  size_t n = 0;
  if (read_all(man, &text, &n) != GV_OK) return GV_ERROR(GV_EIO, "cannot read %s", man);
  char *t = realloc(text, n + 1);
  if (!t) {
    free(text);
    return GV_ERROR(GV_ENOMEM, "out of memory");
  }
  t[n] = 0;
  char val[64] = "", hash[64] = "";
  int ok = !strncmp(t, MANIFEST_HEAD, strlen(MANIFEST_HEAD)) && manifest_get(t, "samples", val, sizeof val) &&
           manifest_get(t, "hash", hash, sizeof hash);
  manifest_get(t, "fingerprint", p->fingerprint, sizeof p->fingerprint);
  manifest_get(t, "created", p->created, sizeof p->created);
  free(t);
  if (!ok) return GV_ERROR(GV_EFORMAT, "%s is not a glassvib ensemble manifest", man);
  p->samples = atol(val);
  uint64_t fp = strtoull(hash, NULL, 16);
  time_t now = time(NULL), tmin = 0, tmax = 0;
  char rp[4096];
  for (long k = 0; k < p->samples; k++) {
    gv_ens_rec_path_(p->dir, k, rp, sizeof rp);
    if (stat(rp, &st) == 0) {
      if (verify && gv_ens_rec_load_(p->dir, k, fp, NULL) != GV_OK) {
        gv_error_clear();
        p->corrupt++;
        continue;
      }
      p->done++;
      if (!tmin || st.st_mtime < tmin) tmin = st.st_mtime;
      if (st.st_mtime > tmax) tmax = st.st_mtime;
    } else {
      gv_ens_claim_path_(p->dir, k, rp, sizeof rp);
      if (stat(rp, &st) == 0) {
        if (claim_stale(rp, 600)) p->stale++;
        else p->in_flight++;
      }
    }
  }
  if (p->done) {
    p->first_s = difftime(now, tmin);
    p->last_s = difftime(now, tmax);
    if (p->done > 1 && tmax > tmin) p->rate = (double)(p->done - 1) / difftime(tmax, tmin);
  }
  return GV_OK;
}
