/* glassvib theory: continuum theories of sound in elastically heterogeneous media.
 *
 *  - HET-SCBA (heterogeneous elasticity in the self-consistent Born approximation), scalar
 *    and vector (shear-modulus fluctuations at fixed bulk modulus): self-energy Sigma(omega),
 *    DOS g(omega), boson peak, Brillouin width and its Rayleigh coefficient, gamma_c.
 *    Seed 004; W. Schirmacher, G. Ruocco, T. Scopigno, PRL 98, 025501 (2007);
 *    A. Marruzzo et al., Sci. Rep. 3, 1407 (2013).
 *  - Born (local and non-local) and generalized Born (GBA, M. G. Izzo, G. Ruocco, S. Cazzato,
 *    Front. Phys. 6, 108 (2018)) self-energies Sigma_L(q,w), Sigma_T(q,w) for exponentially
 *    correlated shear-modulus fluctuations, with the channel split LL, LT, TT, TL (the mixing
 *    of polarizations); S_P(q,w), currents, Brillouin poles and DHO fits. Seed 000.
 *
 * Units: dimensionless (any consistent set: velocities c, lengths a and 1/q, frequencies
 * w = c q). See docs/continuum.md for the physical-unit conversions used by the CLI.
 * Conventions: Born/GBA use w -> w - i0 so that Im Sigma >= 0; SCBA uses z = w + i0 and
 * Sigma enters as a *softening* of the modulus (1 - Sigma), so that again Im Sigma >= 0.
 */
#ifndef GLASSVIB_THEORY_H
#define GLASSVIB_THEORY_H

#include <complex.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================= HET-SCBA */
/* Scalar (seed 004, theory.md): chi(k,z) = 1/(-z^2 + k^2 [1 - Sigma(z)]),
 *   Sigma(z) = gamma (3/k_D^3) int_0^{k_D} dk k^4 chi(k,z),  k_D = 1, bare velocity 1.
 * Vector (shear fluctuations at fixed bulk modulus, rho = 1, k_D = 1):
 *   X_T(z) = c_T^2 - Sigma(z),  X_L(z) = c_L^2 - (4/3) Sigma(z),
 *   chi_P(k,z) = 1/(-z^2 + k^2 X_P(z)),
 *   Sigma(z) = gamma c_T^4 (3/k_D^3) int dk k^4 [ (2/3) chi_L + chi_T ].
 *   (the weights 2/3 : 1 are the isotropic projection of the strain-strain response onto the
 *   deviatoric subspace; without the chi_L term the scalar theory is recovered.) */
typedef struct gv_scba_params {
  double gamma; /* disorder parameter (dimensionless), 0 <= gamma < gamma_c */
  int vector;   /* 0: scalar theory; 1: vector (L + T) theory */
  double cl, ct; /* vector only: bare velocities, 0 < ct < cl (ignored for scalar) */
} gv_scba_params;

/* Check parameters (velocities, gamma >= 0). Does not check gamma < gamma_c. */
int gv_scba_validate(const gv_scba_params *p);
/* Critical disorder: scalar 1/4; vector max over Sigma0 of Sigma0 / (c_T^4 [(2/3)/X_L + 1/X_T]). */
int gv_scba_gamma_c(const gv_scba_params *p, double *gamma_c);
/* Static self-energy Sigma(0) on the physical branch (continuous from gamma = 0);
 * GV_EUNSTABLE if gamma >= gamma_c. Scalar: [1 - sqrt(1 - 4 gamma)]/2. */
int gv_scba_static(const gv_scba_params *p, double *sigma0);
/* Solve the self-consistent equation on an ascending grid omega[0..n-1] (omega >= 0) by
 * continuation from the static solution (damped complex Newton, adaptive sub-steps,
 * retarded branch Im Sigma >= 0 enforced). sigma[n] is written. */
int gv_scba_solve(const gv_scba_params *p, const double *omega, size_t n, double complex *sigma);

/* Everything the scba command reports. */
typedef struct gv_scba_result {
  size_t n;
  double *omega;          /* [n] the grid */
  double complex *sigma;  /* [n] Sigma(omega + i0) */
  double *g;              /* [n] normalised DOS */
  double *g_red;          /* [n] g / omega^2 (NaN at omega = 0 replaced by the limit) */
  double *gamma_L, *gamma_T; /* [n] Brillouin widths -w Im X_P / Re X_P (scalar: both = Gamma) */
  double *v_L, *v_T;      /* [n] phase velocities 1/Re(1/sqrt(X_P)) */
  double sigma0, gamma_c;
  double omega_bp, bp_height; /* maximum of g/omega^2 and its value */
  double debye_level;     /* low-frequency limit of g/omega^2 (renormalised Debye level) */
  double rayleigh_L, rayleigh_T; /* analytic Gamma_P ~ R_P omega^4 coefficients */
  double norm;            /* trapezoid integral of g over the grid */
} gv_scba_result;
/* Run the full calculation; *out allocated (destroy with gv_scba_result_destroy). */
int gv_scba_run(const gv_scba_params *p, const double *omega, size_t n, gv_scba_result **out);
void gv_scba_result_destroy(gv_scba_result **r);
/* Analytic low-frequency coefficients: Im Sigma ~ C omega^3, Gamma_P ~ R_P omega^4. */
int gv_scba_rayleigh(const gv_scba_params *p, double *C, double *R_L, double *R_T);

/* ============================================================ Born and GBA */
/* Medium: shear modulus mu(r) = mu0 + dmu(r), <dmu dmu'>/rho^2 = A exp(-|r-r'|/a)
 * (A in velocity^4, eps^2 = A / c_T^4). Dyson: G_P = 1/(w^2 - c_P^2 q^2 - Sigma_P(q,w)). */
typedef enum {
  GV_BORN_LOCAL = 0,   /* Sigma_P = q^2 s_P(w), bare velocities */
  GV_BORN_NONLOCAL = 1, /* non-local Born, bare velocities in the intermediate line */
  GV_GBA_FIRST = 2,    /* GBA of Izzo et al.: Sigma^(1) + Sigma^(2) (renormalised v_Y) */
  GV_GBA_RESUMMED = 3  /* all orders: complex intermediate velocity v_Y^2 + Delta_s_Y(w) */
} gv_born_kind;

typedef struct gv_born_params {
  double cl, ct;   /* bare velocities, 0 < ct < cl */
  double A;        /* fluctuation amplitude (velocity^4), >= 0 */
  double a;        /* correlation length, > 0 */
  gv_born_kind kind;
  double tol;      /* target relative quadrature accuracy (default 1e-10 if <= 0) */
} gv_born_params;

/* Channels (external X, intermediate Y). Sigma_L = LL + LT, Sigma_T = (TT + TL)/2. */
typedef struct gv_born_sigma {
  double complex LL, LT, TT, TL, L, T;
} gv_born_sigma;

int gv_born_validate(const gv_born_params *p);
/* b(p) = [2i p^3 - a^-1(3p^2 + a^-2)] / (p^2 + a^-2)^2 (p may be complex). */
double complex gv_born_b(double a, double complex p);
/* Local self-energy coefficients s_L(w), s_T(w) with velocities vl, vt (complex allowed). */
void gv_born_local_s(double A, double a, double complex vl, double complex vt, double w,
                     double complex *sL, double complex *sT);
/* Intermediate-line velocities used by the approximation (bare for Born, statically
 * renormalised v_Y^2 = c_Y^2 + s_Y(0) for the GBA). GV_EUNSTABLE if v_Y^2 <= 0. */
int gv_born_intermediate_velocities(const gv_born_params *p, double *vl, double *vt);

/* A plan holds the t-quadrature (graded composite Gauss-Legendre, chosen to reach tol)
 * and per-node tables for one q. Plan once, evaluate at many w without allocation. */
typedef struct gv_born_plan gv_born_plan;
int gv_born_plan_create(const gv_born_params *p, double q, gv_born_plan **plan);
void gv_born_plan_destroy(gv_born_plan **plan);
/* Sigma channels at (q, w), w >= 0 real. Thread-safe (plan read-only). */
void gv_born_plan_eval(const gv_born_plan *plan, double w, gv_born_sigma *s);
/* Same with complex frequency (Im w <= 0, the w - i0 side): for tests against direct
 * integration. */
void gv_born_plan_eval_complex(const gv_born_plan *plan, double complex w, gv_born_sigma *s);
/* Relative quadrature error estimated when the plan was built (chosen rule vs a finer one),
 * and the number of t nodes. */
double gv_born_plan_quad_err(const gv_born_plan *plan);
int gv_born_plan_nodes(const gv_born_plan *plan);
double gv_born_plan_q(const gv_born_plan *plan);

/* Brillouin pole of polarization pol (0 = L, 1 = T): Omega^2 = c_P^2 q^2 + Re Sigma_P(q, Omega),
 * Gamma = Im Sigma_P(q, Omega)/Omega. GV_NOT_CONVERGED (and NaNs) if no pole is found. */
int gv_born_pole(const gv_born_plan *plan, int pol, double *Omega, double *Gamma);
/* Analytic Rayleigh coefficient R_L = lim_{q->0} Gamma_L/q^4 of the chosen approximation. */
double gv_born_rayleigh_coeff_L(const gv_born_params *p);
double gv_born_rayleigh_coeff_T(const gv_born_params *p);
/* S_P = (q^2/w)|Im G_P|, C_P = (w^2/q^2) S_P with G_P = 1/(w^2 - c^2 q^2 - sigma). */
void gv_born_spectra(double q, double w, double c, double complex sigma, double *S, double *C);

/* Map over q[nq] x w[nw]: out[iq * nw + iw] (OpenMP over q); qerr[nq] (may be NULL) gets
 * each plan's quadrature error estimate. */
int gv_born_map(const gv_born_params *p, const double *q, size_t nq, const double *w, size_t nw,
                gv_born_sigma *out, double *qerr);

/* Damped-harmonic-oscillator fit of a spectrum, in the form used for IXS data,
 *   S(w) = I0 Gamma / ((w^2 - Omega^2)^2 + w^2 Gamma^2)
 * (exact for Sigma = const + i w Gamma), by nonlinear least squares (GSL trust region,
 * Levenberg-Marquardt) from the initial guess (Omega0, Gamma0). */
int gv_dho_fit(const double *w, const double *S, size_t n, double Omega0, double Gamma0,
               double *Omega, double *Gamma, double *I0);

/* ================================================================ utilities */
/* hbar in meV s, and the velocity unit: 1 m/s = GV_MS_TO_MEVNM meV nm (hbar * 1e9). */
#define GV_HBAR_MEVS 6.582119569e-13
#define GV_MS_TO_MEVNM (GV_HBAR_MEVS * 1e9)
/* Read c_L and c_T from a JSON object (the output of `glassvib moduli --json`, keys "c_L",
 * "c_T"). */
int gv_theory_read_moduli_json(const char *path, double *cl, double *ct);
/* "disorder_volume" of `glassvib moduli --local --json` (3D: eps^2 a^3 8 pi, the
 * long-wavelength strength of the shear-modulus fluctuations). */
int gv_theory_read_moduli_disorder(const char *path, double *disorder_volume);
/* Parse "W1:W2:DW" into an ascending grid (allocated). Requires 0 <= W1 < W2, DW > 0. */
int gv_theory_parse_range(const char *s, double **w, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
