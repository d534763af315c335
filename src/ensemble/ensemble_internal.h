/* Internals shared by the ensemble sources (not installed). */
#ifndef GV_ENSEMBLE_INTERNAL_H
#define GV_ENSEMBLE_INTERNAL_H

#include "glassvib/ensemble.h"

void gv_ensemble_record_set_sample_(gv_ensemble_record *r, long sample);

/* comm.c: MPI thread level granted (0 = none/serial, 1 funneled, 2 serialized, 3 multiple). */
int gv_ensemble_comm_thread_level_(void);

/* store.c: run directory files */
int gv_ens_dir_prepare_(const gv_ensemble_opts *o, uint64_t fp);
void gv_ens_rec_path_(const char *dir, long k, char *buf, size_t n);
void gv_ens_claim_path_(const char *dir, long k, char *buf, size_t n);
/* Read and verify sample k's record into r (r may be NULL: verify only).
 * Returns GV_OK, GV_EIO if absent, GV_EFORMAT if corrupt (message says why). */
int gv_ens_rec_load_(const char *dir, long k, uint64_t fp, gv_ensemble_record *r);
/* Atomically write a packed record for sample k. */
int gv_ens_rec_write_(const char *dir, long k, const void *buf, size_t nbytes);
int gv_ens_rec_exists_(const char *dir, long k);
void gv_ens_dir_drop_if_empty_(const char *dir);
/* analysis.c: the merge's cheap product check (a stat): the file exists with the
 * recorded size (the CRC was checked when it was written or, if resumed, at the scan). */
int gv_ens_file_size_is_(const char *path, int64_t size, const char *what);
/* Claims: 1 = claimed by us, 0 = held by a live process, < 0 error. */
int gv_ens_claim_(const char *dir, long k, double stale_s);
void gv_ens_claim_release_(const char *dir, long k);
void gv_ens_claim_touch_(const char *dir, long k);

#endif
