/* glassvib analysis (harmonic part): normal modes of a glass and what is
 * measured from them — participation, athermal elastic moduli, the ensemble
 * DOS with A_g and the phonon-band detection, microscopic S_L/S_T(q, omega).
 * Equations: docs/harmonic.md and shared theory.md. Units: model units
 * (energy eps, length lambda, mass m = 1, k_B = 1); frequencies in
 * sqrt(eps/m)/lambda, moduli and pressure in eps/lambda^d. */
#ifndef GLASSVIB_ANALYSIS_H
#define GLASSVIB_ANALYSIS_H

#include "glassvib/glass.h"
#include "glassvib/hessian.h"
#include "glassvib/linalg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------ inherent state */
/* Recompute g->state (energy, pressure, max force) and check that g is an
 * inherent state: max |force component| <= max_force. If not: GV_EUNSTABLE
 * with a message, unless force != 0 (then a warning is logged, GV_OK). */
int gv_analysis_check_inherent(gv_glass *g, double max_force, int force);

/* ------------------------------------------------------- participation */
/* Participation ratio e = [N sum_i |psi_i|^4]^-1 of a mode psi (n particles x
 * dim components, normalised internally); N e = number of participating
 * particles (seed 004 Eq. 1). e = 1 for a uniform amplitude, ~1/N localised. */
double gv_analysis_participation(const double *psi, long n, int dim);

/* ---------------------------------------------------------------- modes */
typedef struct gv_modes {
  int dim;
  long n;               /* particles */
  int k;                /* modes stored (translations excluded) */
  double *lambda;       /* [k] eigenvalues, ascending */
  double *omega;        /* [k] sign(lambda) sqrt(|lambda|): negative = unstable */
  double *participation;/* [k] e */
  double *residual;     /* [k] ||M v - lambda v|| */
  double *vec;          /* [k * n*dim] or NULL */
  int complete;         /* 1: all n*dim - dim modes */
  int n_zero_modes;     /* translations (verified zero modes) + other |lambda| < zero_tol */
  int n_translations;   /* deflated translations */
  int n_negative;       /* lambda < -zero_tol (flagged, reported) */
  double zero_tol;      /* threshold used for "zero" eigenvalues */
  double max_residual, translation_residual, sigma, wall_s, t_factor;
  long n_op;            /* shift-invert solves (sparse path) */
  char method[48];
  /* the sample (for ensembles): */
  double volume, density; /* V and N/V */
  double q_min;         /* smallest non-zero wavevector of the box, 2 pi / L for a cube */
  double G, c_T;        /* shear modulus and c_T = sqrt(G/rho) of the glass (NaN: unknown) */
  double omega_phonon;  /* predicted lowest transverse plane wave c_T q_min (NaN: unknown) */
} gv_modes;
void gv_modes_free(gv_modes *m);

/* Lowest k non-trivial modes (k <= 0: all, dense) of the Hessian H of system
 * s (eigenvectors kept if want_vectors). opt may be NULL (dim taken from H).
 * If keep_factor is non-NULL and the sparse path ran, the CHOLMOD factor of
 * M - sigma I is handed over (caller destroys) instead of freed.
 * GV_NOT_CONVERGED: fewer than k modes converged (result usable). */
int gv_modes_compute(const gv_hessian *H, const gv_system *s, int k, const gv_eigopts *opt,
                     gv_modes *out, gv_linalg_factor **keep_factor);
/* MODES.h5 (layout in docs/harmonic.md). with_vectors: also /modes/vectors. */
int gv_modes_write(const char *path, const gv_modes *m, const gv_glass *g, int with_vectors);
/* Read a MODES.h5 (vectors only if want_vectors and present). */
int gv_modes_read(const char *path, int want_vectors, gv_modes *m);

/* --------------------------------------------------------------- moduli */
typedef struct gv_moduli {
  int dim;
  double G;          /* shear modulus, mean over the d(d-1)/2 simple-shear planes */
  double G_err;      /* standard error of that mean (0 for one plane) */
  double G_planes[6];/* per plane (xy, xz, yz, xw, yw, zw order: a<b) */
  int n_planes;
  double G_affine;   /* Born (affine) part of G */
  double B;          /* bulk modulus (with non-affine and pressure terms) */
  double B_affine;
  double pressure;   /* athermal pressure -(1/(d V)) sum phi' r */
  double density;    /* N/V (unit masses: mass density) */
  double c_T, c_L;   /* sqrt(G/rho), sqrt((B + 2(d-1)G/d)/rho) */
  double c_D;        /* Debye-averaged velocity: d/c_D^d = 1/c_L^d + (d-1)/c_T^d */
  double k_D;        /* Debye wavenumber: k_D^d = (2 pi)^d rho / V_d(unit ball) */
  double omega_D;    /* c_D k_D */
  double solve_residual; /* worst relative residual of the non-affine solves */
} gv_moduli;

/* Athermal moduli (Lemaitre and Maloney, J. Stat. Phys. 123, 415 (2006)):
 * modulus = (1/V)[d^2U/dgamma^2 - Xi.M^+.Xi] for simple shear x_a += gamma x_b
 * (G) and dilation x -> e^eta x (B = (1/(d^2 V)) d^2U/deta^2 + p).
 * F (may be NULL) is a numeric factor of H->M - sigma I to reuse; otherwise
 * one is made. The configuration must be at a force minimum. */
int gv_moduli_compute(const gv_hessian *H, const gv_system *s, gv_linalg_factor *F,
                      gv_moduli *out);
/* The affine energy derivatives along a linear deformation x -> (I + gamma A) x
 * (A: d x d row-major; Xi [n*dim] may be NULL): dU/dgamma, d^2U/dgamma^2 and
 * Xi = d^2U/dx dgamma (forces assumed zero). Exposed for tests and qlm. */
int gv_moduli_affine(const gv_hessian *H, const gv_system *s, const double *A, double *dU,
                     double *d2U, double *Xi);

/* Local shear moduli on k^d boxes (fractional coordinates) and the elastic
 * heterogeneity they measure (src/analysis/moduli_local.c): per box size the
 * mean (= G, a sum rule) and the variance of G_box over boxes and shear
 * planes, and the fit Var(G_w)/G^2 = eps2 f_d(w/a) of an exponential
 * covariance eps2 G^2 exp(-r/a), the Born/GBA medium of theory.md. */
#define GV_MODULI_LOCAL_MAX 16
typedef struct gv_moduli_local {
  int dim, nw;
  double G;                           /* global shear modulus (sum of the local shares) */
  int boxes[GV_MODULI_LOCAL_MAX];     /* boxes per side */
  long n_boxes[GV_MODULI_LOCAL_MAX];  /* boxes^dim */
  double w[GV_MODULI_LOCAL_MAX];      /* box side (V_box^(1/d)) [lambda] */
  double mean[GV_MODULI_LOCAL_MAX];   /* mean of G_box (equals G) */
  double var[GV_MODULI_LOCAL_MAX];    /* variance of G_box, averaged over the shear planes */
  double eps2, a, fit_rms;            /* fitted disorder, correlation length [lambda], rms of log residuals */
  double disorder_volume;             /* eps2 a^d S_d Gamma(d) = lim w^d Var/G^2 [lambda^d] */
} gv_moduli_local;
int gv_moduli_local_compute(const gv_hessian *H, const gv_system *s, gv_linalg_factor *F,
                            const int *boxes, int nboxes, gv_moduli_local *out);
/* (Re)fit eps2, a, fit_rms, disorder_volume from dim, G, nw, w[], var[]. */
void gv_moduli_local_fit(gv_moduli_local *o);
/* f_d(x) = E exp(-x |P - Q|) for P, Q uniform in the unit d-cube: the variance
 * factor of a box average of an exponentially correlated field (x = w/a). */
double gv_moduli_box_factor(int dim, double x);

/* ---------------------------------------------------- DOS over samples */
typedef struct gv_dos_opts {
  int nbins_lin, nbins_log;  /* histogram bins (default 60, 40) */
  double e_phonon;           /* participation above which a mode counts as a plane wave (0.3) */
  double omega_max;          /* upper edge of the histograms (0: largest omega) */
} gv_dos_opts;
void gv_dos_opts_default(gv_dos_opts *o);

typedef struct gv_dos_result {
  long n_modes;            /* modes pooled (non-trivial, positive) */
  long n_samples;
  double n_norm;           /* normalisation: sum over samples of (N d - d) */
  double omega_min_phonon; /* detected lower edge of the first phonon band */
  double omega_phonon_predicted; /* min over samples of c_T q_min (NaN if unknown) */
  const char *band_method; /* "participation+c_T", "participation" */
  double A_g, A_g_err, A_g_alt, A_g_alt_err; /* plateau below the band (count, 5F/w^5) */
  long n_below;            /* modes below the band */
  double s, s_err;         /* exponent of D ~ omega^s below the band (slope; MLE error) */
  double s_mle;
  /* the same exponent from each sample's OWN band edge c_k (pooled maximum likelihood of
   * D ~ omega^s on [0, c_k]: s + 1 = n / sum log(c_k / omega), error (s + 1)/sqrt(n)):
   * many small glasses keep all their soft modes, not only those below the lowest edge */
  double s_own, s_own_err;
  long n_below_own;
  double r_mean, r_err;    /* <r> over all samples (levels below omega_max) */
  long n_ratios;
  long n_negative;         /* negative modes met (excluded from D) */
} gv_dos_result;

/* Pool mode sets (omega, participation) of ns samples. */
int gv_dos_analyse(const gv_modes *samples, int ns, const gv_dos_opts *o, gv_dos_result *r);
/* Detected lower edge of the first phonon band of one sample: the lowest mode
 * with participation >= e_phonon and omega >= 0.7 omega_phonon (if known).
 * Returns NaN if no mode qualifies. */
double gv_dos_band_edge(const gv_modes *m, double e_phonon);

/* ---------------------------------------------------------------- S(q,w) */
typedef struct gv_sqw_opts {
  double width;       /* line width (HWHM for Lorentzian, std for Gaussian) */
  int gaussian;       /* 0: Lorentzian (default), 1: Gaussian */
  double omega_max;   /* grid upper end (0: 1.1 x highest mode) */
  int nomega;         /* grid points (default 400) */
  double temperature; /* T (S scales with T; default 1) */
  int max_vectors;    /* at most this many wavevectors per shell (default 48) */
} gv_sqw_opts;
void gv_sqw_opts_default(gv_sqw_opts *o);

typedef struct gv_sqw {
  int nq, nomega;
  double *q_req;     /* [nq] requested |q| */
  double *q;         /* [nq] |q| of the allowed shell used */
  int *nvec;         /* [nq] wavevectors averaged */
  double *omega;     /* [nomega] */
  double *SL, *ST;   /* [nq*nomega] broadened S_L, S_T */
  double *sum_L, *sum_T; /* [nq] sum over modes of omega^2 S weights = int omega^2 S */
  double *trans_L, *trans_T; /* [nq] translation share T q^2 |<v_q, t>|^2 / N (missing weight) */
} gv_sqw;
void gv_sqw_free(gv_sqw *w);

/* S_P(q,w) = (T q^2 / (N w^2)) sum_a |sum_i (e_P . psi_i^a) e^{i q.r_i}|^2 L(w - w_a),
 * averaged over the wavevectors of the box's reciprocal lattice in the shell
 * |G| closest to each requested q (and over the d-1 transverse polarisations
 * for T). One-sided in omega (omega > 0): with all modes,
 * int_0^inf w^2 S_P dw = T q^2 (f-sum rule) minus the translations' share.
 * Modes need eigenvectors; negative modes are skipped. */
int gv_sqw_compute(const gv_system *s, const gv_modes *m, const double *q, int nq,
                   const gv_sqw_opts *o, gv_sqw *out);

#ifdef __cplusplus
}
#endif
#endif
