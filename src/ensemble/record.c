/* Per-sample records of an ensemble run and their serialised, checksummed form.
 *
 * Layout (host byte order; the endianness word makes a foreign file fail):
 *   header  "GVENSR01", u32 0x01020304, u32 nfields, u64 fingerprint hash,
 *           i64 sample, u64 payload bytes
 *   fields  u32 type (1 double, 2 int64), u32 name length L, u64 count n,
 *           name (L bytes, zero-padded to a multiple of 8), data (8 n bytes)
 *   trailer u32 CRC-32 of header + fields, u32 "GVEN"
 * A record is valid only if every length adds up to the file size and the CRC
 * matches, so a torn or bit-flipped file is detected (CRC-32 misses a random
 * corruption with probability 2^-32). */
#include <stdlib.h>
#include <string.h>

#include "glassvib/ensemble.h"

#define REC_MAGIC "GVENSR01"
#define REC_END 0x4e455647u /* "GVEN" */
#define REC_ENDIAN 0x01020304u
#define NAME_MAX_LEN 63

enum { T_DOUBLE = 1, T_INT64 = 2 };

typedef struct {
  char name[NAME_MAX_LEN + 1];
  int type;
  size_t n, cap; /* elements, allocated elements */
  void *data;
} field;

struct gv_ensemble_record {
  long sample;
  size_t nfields, cap;
  field *f;
};

typedef struct {
  char magic[8];
  uint32_t endian, nfields;
  uint64_t fingerprint;
  int64_t sample;
  uint64_t payload;
} rec_header;

/* ------------------------------------------------------------ checksums */
static uint32_t crc_table[8][256];
static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++) crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
}

uint32_t gv_ensemble_crc32(uint32_t crc, const void *data, size_t n) {
  static int ready = 0;
  if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
#pragma omp critical(gv_ensemble_crc_init)
    if (!ready) {
      crc_init();
      __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
  }
  const unsigned char *p = data;
  uint32_t c = ~crc;
  /* slicing-by-8: eight table lookups per 8 bytes (little-endian hosts) */
  while (n >= 8) {
    uint32_t lo, hi;
    memcpy(&lo, p, 4);
    memcpy(&hi, p + 4, 4);
    lo ^= c;
    c = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^ crc_table[5][(lo >> 16) & 0xff] ^
        crc_table[4][lo >> 24] ^ crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
        crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}

uint64_t gv_ensemble_hash64(const char *s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; s && *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
  return h;
}

/* -------------------------------------------------------------- records */
int gv_ensemble_record_create(gv_ensemble_record **r) {
  if (!r) return GV_ERROR(GV_EINVAL, "record: NULL");
  *r = gv_calloc(1, sizeof **r);
  if (!*r) return GV_ERROR(GV_ENOMEM, "out of memory");
  (*r)->sample = -1;
  return GV_OK;
}

void gv_ensemble_record_destroy(gv_ensemble_record **r) {
  if (!r || !*r) return;
  for (size_t i = 0; i < (*r)->cap; i++) free((*r)->f[i].data);
  free((*r)->f);
  free(*r);
  *r = NULL;
}

void gv_ensemble_record_clear(gv_ensemble_record *r) {
  if (!r) return;
  r->nfields = 0;
  r->sample = -1;
}

long gv_ensemble_record_sample(const gv_ensemble_record *r) { return r ? r->sample : -1; }

void gv_ensemble_record_set_sample_(gv_ensemble_record *r, long sample);
void gv_ensemble_record_set_sample_(gv_ensemble_record *r, long sample) { r->sample = sample; }

static field *find(const gv_ensemble_record *r, const char *name) {
  for (size_t i = 0; i < r->nfields; i++)
    if (!strcmp(r->f[i].name, name)) return &r->f[i];
  return NULL;
}

/* Append a field slot, reusing allocations of a cleared record. */
static int add_field(gv_ensemble_record *r, const char *name, int type, size_t n, field **out) {
  if (!r || !name || !*name) return GV_ERROR(GV_EINVAL, "record: field needs a name");
  if (strlen(name) > NAME_MAX_LEN) return GV_ERROR(GV_EINVAL, "record: field name '%s' too long", name);
  if (find(r, name)) return GV_ERROR(GV_EINVAL, "record: field '%s' given twice", name);
  if (r->nfields == r->cap) {
    size_t nc = r->cap ? 2 * r->cap : 8;
    field *nf = realloc(r->f, nc * sizeof *nf);
    if (!nf) return GV_ERROR(GV_ENOMEM, "out of memory");
    memset(nf + r->cap, 0, (nc - r->cap) * sizeof *nf);
    r->f = nf;
    r->cap = nc;
  }
  field *f = &r->f[r->nfields];
  if (f->cap < n || !f->data) {
    void *d = realloc(f->data, (n ? n : 1) * 8);
    if (!d) return GV_ERROR(GV_ENOMEM, "out of memory (record field '%s', %zu values)", name, n);
    f->data = d;
    f->cap = n ? n : 1;
  }
  snprintf(f->name, sizeof f->name, "%s", name);
  f->type = type;
  f->n = n;
  r->nfields++;
  *out = f;
  return GV_OK;
}

int gv_ensemble_record_put_doubles(gv_ensemble_record *r, const char *name, const double *v, size_t n) {
  field *f;
  int status = add_field(r, name, T_DOUBLE, n, &f);
  if (status) return status;
  if (n) memcpy(f->data, v, n * sizeof *v);
  return GV_OK;
}

int gv_ensemble_record_put_int64s(gv_ensemble_record *r, const char *name, const int64_t *v, size_t n) {
  field *f;
  int status = add_field(r, name, T_INT64, n, &f);
  if (status) return status;
  if (n) memcpy(f->data, v, n * sizeof *v);
  return GV_OK;
}

int gv_ensemble_record_put_double(gv_ensemble_record *r, const char *name, double v) {
  return gv_ensemble_record_put_doubles(r, name, &v, 1);
}
int gv_ensemble_record_put_int64(gv_ensemble_record *r, const char *name, int64_t v) {
  return gv_ensemble_record_put_int64s(r, name, &v, 1);
}

const double *gv_ensemble_record_doubles(const gv_ensemble_record *r, const char *name, size_t *n) {
  field *f = r ? find(r, name) : NULL;
  if (!f || f->type != T_DOUBLE) {
    if (n) *n = 0;
    return NULL;
  }
  if (n) *n = f->n;
  return f->data;
}

const int64_t *gv_ensemble_record_int64s(const gv_ensemble_record *r, const char *name, size_t *n) {
  field *f = r ? find(r, name) : NULL;
  if (!f || f->type != T_INT64) {
    if (n) *n = 0;
    return NULL;
  }
  if (n) *n = f->n;
  return f->data;
}

int gv_ensemble_record_get_double(const gv_ensemble_record *r, const char *name, double *v) {
  size_t n;
  const double *d = gv_ensemble_record_doubles(r, name, &n);
  if (!d || n < 1) return GV_ERROR(GV_EFORMAT, "record of sample %ld has no value '%s'", r ? r->sample : -1L, name);
  *v = d[0];
  return GV_OK;
}

int gv_ensemble_record_get_int64(const gv_ensemble_record *r, const char *name, int64_t *v) {
  size_t n;
  const int64_t *d = gv_ensemble_record_int64s(r, name, &n);
  if (!d || n < 1) return GV_ERROR(GV_EFORMAT, "record of sample %ld has no value '%s'", r ? r->sample : -1L, name);
  *v = d[0];
  return GV_OK;
}

/* ---------------------------------------------------------- (un)packing */
static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

int gv_ensemble_record_pack(const gv_ensemble_record *r, uint64_t fingerprint, void **buf, size_t *nbytes) {
  if (!r || !buf || !nbytes) return GV_ERROR(GV_EINVAL, "record pack: NULL");
  size_t payload = 0;
  for (size_t i = 0; i < r->nfields; i++) payload += 16 + pad8(strlen(r->f[i].name)) + 8 * r->f[i].n;
  size_t total = sizeof(rec_header) + payload + 8;
  unsigned char *b = calloc(1, total);
  if (!b) return GV_ERROR(GV_ENOMEM, "out of memory (record of %zu bytes)", total);
  rec_header h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, REC_MAGIC, 8);
  h.endian = REC_ENDIAN;
  h.nfields = (uint32_t)r->nfields;
  h.fingerprint = fingerprint;
  h.sample = r->sample;
  h.payload = payload;
  memcpy(b, &h, sizeof h);
  size_t o = sizeof h;
  for (size_t i = 0; i < r->nfields; i++) {
    const field *f = &r->f[i];
    uint32_t t = (uint32_t)f->type, l = (uint32_t)strlen(f->name);
    uint64_t n = f->n;
    memcpy(b + o, &t, 4);
    memcpy(b + o + 4, &l, 4);
    memcpy(b + o + 8, &n, 8);
    o += 16;
    memcpy(b + o, f->name, l);
    o += pad8(l);
    if (f->n) memcpy(b + o, f->data, 8 * f->n);
    o += 8 * f->n;
  }
  uint32_t crc = gv_ensemble_crc32(0, b, o), end = REC_END;
  memcpy(b + o, &crc, 4);
  memcpy(b + o + 4, &end, 4);
  *buf = b;
  *nbytes = total;
  return GV_OK;
}

int gv_ensemble_record_unpack(gv_ensemble_record *r, const void *buf, size_t nbytes, uint64_t fingerprint,
                              long expect_sample) {
  const unsigned char *b = buf;
  rec_header h;
  if (!r || !buf) return GV_ERROR(GV_EINVAL, "record unpack: NULL");
  if (nbytes < sizeof h + 8) return GV_ERROR(GV_EFORMAT, "record truncated (%zu bytes)", nbytes);
  memcpy(&h, b, sizeof h);
  if (memcmp(h.magic, REC_MAGIC, 8) || h.endian != REC_ENDIAN)
    return GV_ERROR(GV_EFORMAT, "not a glassvib ensemble record (bad magic or byte order)");
  if (h.payload != nbytes - sizeof h - 8)
    return GV_ERROR(GV_EFORMAT, "record length %zu does not match its header (%llu payload bytes)", nbytes,
                    (unsigned long long)h.payload);
  uint32_t crc, end;
  memcpy(&crc, b + nbytes - 8, 4);
  memcpy(&end, b + nbytes - 4, 4);
  if (end != REC_END) return GV_ERROR(GV_EFORMAT, "record has no end marker (torn write)");
  if (gv_ensemble_crc32(0, b, nbytes - 8) != crc) return GV_ERROR(GV_EFORMAT, "record checksum mismatch (corrupt)");
  if (h.fingerprint != fingerprint)
    return GV_ERROR(GV_EFORMAT, "record was made with other parameters (fingerprint differs)");
  if (expect_sample >= 0 && h.sample != expect_sample)
    return GV_ERROR(GV_EFORMAT, "record holds sample %lld, expected %ld", (long long)h.sample, expect_sample);
  gv_ensemble_record_clear(r);
  r->sample = (long)h.sample;
  size_t o = sizeof h, lim = nbytes - 8;
  for (uint32_t i = 0; i < h.nfields; i++) {
    if (o + 16 > lim) return GV_ERROR(GV_EFORMAT, "record field %u truncated", i);
    uint32_t t, l;
    uint64_t n;
    memcpy(&t, b + o, 4);
    memcpy(&l, b + o + 4, 4);
    memcpy(&n, b + o + 8, 8);
    o += 16;
    if ((t != T_DOUBLE && t != T_INT64) || l == 0 || l > NAME_MAX_LEN || o + pad8(l) > lim ||
        n > (lim - o - pad8(l)) / 8)
      return GV_ERROR(GV_EFORMAT, "record field %u has a bad descriptor", i);
    char name[NAME_MAX_LEN + 1];
    memcpy(name, b + o, l);
    name[l] = 0;
    o += pad8(l);
    field *f;
    int status = add_field(r, name, (int)t, (size_t)n, &f);
    if (status) return status;
    if (n) memcpy(f->data, b + o, 8 * n);
    o += 8 * n;
  }
  if (o != lim) return GV_ERROR(GV_EFORMAT, "record has %zu trailing bytes", lim - o);
  return GV_OK;
}
