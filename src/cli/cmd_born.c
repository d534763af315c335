/* glassvib born / gba: Born (local, non-local) and generalized Born self-energies,
 * S_L, S_T, currents, Brillouin poles and DHO fits over a (q, w) map
 * (library: src/theory/born.c, dho.c; docs/continuum.md). gv_cmd_gba lives in cmd_gba.c
 * and calls gv_cli_born_main below. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/theory.h"

int gv_cli_born_main(int argc, char **argv, int gba);

typedef struct {
  double OmL, GaL, OmT, GaT;       /* pole */
  double OmLd, GaLd, OmTd, GaTd;   /* DHO fit */
} pole_row;

/* DHO fit of S_P on the grid points within [Omega/2, 3 Omega/2] (the Brillouin line). */
static void dho_on_map(double q, double c, const double *w, size_t nw, const gv_born_sigma *row,
                       int pol, double Om, double Ga, double *wbuf, double *sbuf, double *OmD,
                       double *GaD) {
  *OmD = *GaD = NAN;
  if (!(Om > 0)) return;
  size_t m = 0;
  for (size_t j = 0; j < nw; j++) {
    if (w[j] <= 0 || w[j] < 0.5 * Om || w[j] > 1.5 * Om) continue;
    double S;
    gv_born_spectra(q, w[j], c, pol ? row[j].T : row[j].L, &S, NULL);
    wbuf[m] = w[j];
    sbuf[m++] = S;
  }
  /* Like an experiment, the fit needs the line resolved by the grid: at least a few
   * points across its width (otherwise the result is reported as null). */
  double dw = (w[nw - 1] - w[0]) / (double)(nw > 1 ? nw - 1 : 1);
  if (m < 6 || !(Ga > 2 * dw)) return;
  double o, g;
  if (gv_dho_fit(wbuf, sbuf, m, Om, Ga, &o, &g, NULL) >= 0 && o > 0.5 * Om && o < 1.5 * Om &&
      g > 0 && g < 10 * Om) {
    *OmD = o;
    *GaD = g;
  }
}

int gv_cli_born_main(int argc, char **argv, int gba) {
  const char *cmd = gba ? "gba" : "born";
  double cl = NAN, ct = NAN, A = NAN, eps2 = NAN, a = NAN, tol = 1e-10;
  long long threads = 0;
  int local = 0, json = 0, quiet = 0, physical = 0;
  const char *qs = NULL, *ws = NULL, *variant = NULL, *out = NULL, *poles = NULL, *moduli = NULL;
  gv_arg args[] = {
      {"cl", 0, GV_ARG_DOUBLE, &cl, "CL", "bare longitudinal velocity (m/s with --physical)", GV_NO_RANGE, 0, 0},
      {"ct", 0, GV_ARG_DOUBLE, &ct, "CT", "bare transverse velocity, 0 < CT < CL", GV_NO_RANGE, 0, 0},
      {"A", 0, GV_ARG_DOUBLE, &A, "A", "fluctuation amplitude <dmu dmu>/rho^2 (velocity^4), >= 0", GV_NO_RANGE, 0, 0},
      {"eps2", 0, GV_ARG_DOUBLE, &eps2, "E", "alternative to --A: eps^2 = A / c_T^4 (dimensionless)", GV_NO_RANGE, 0, 0},
      {"a", 0, GV_ARG_DOUBLE, &a, "a", "correlation length of the fluctuations (nm with --physical), > 0", GV_NO_RANGE, 1, 0},
      {"q", 0, GV_ARG_STRING, &qs, "Q1,Q2,...", "wavevectors (nm^-1 with --physical), > 0", GV_NO_RANGE, 1, 0},
      {"omega", 0, GV_ARG_STRING, &ws, "W1:W2:DW", "frequency grid of the map (meV with --physical; default 2000 points up to 2 c_L q_max)", GV_NO_RANGE, 0, 0},
      {"variant", 0, GV_ARG_STRING, &variant, "V", gba ? "first-order (as published, default) or resummed (all orders)" : "accepted for symmetry with gba; the Born approximation has no variants", GV_NO_RANGE, 0, 0},
      {"local", 0, GV_ARG_FLAG, &local, NULL, gba ? "(born only: rejected by gba)" : "local Born approximation Sigma_P = q^2 s_P(w)", GV_NO_RANGE, 0, 0},
      {"physical", 0, GV_ARG_FLAG, &physical, NULL, "physical units: velocities m/s, A (m/s)^4, a nm, q nm^-1, omega meV", GV_NO_RANGE, 0, 0},
      {"from-moduli", 0, GV_ARG_STRING, &moduli, "FILE.json", "take c_L, c_T from `glassvib moduli --json` output (explicit --cl/--ct win); without --A/--eps2 also the disorder: eps2 = disorder_volume/(8 pi a^3) of `moduli --local`", GV_NO_RANGE, 0, 0},
      {"tol", 0, GV_ARG_DOUBLE, &tol, "TOL", "target relative accuracy of the t-quadrature (default 1e-10)", 1e-14, 1e-3, 0, 0},
      GV_ARG_OUT(&out, "write the (q, omega) map: Sigma channels, S_L, S_T, C_L, C_T (TSV)"),
      {"poles", 0, GV_ARG_STRING, &poles, "FILE", "write the per-q table of poles, widths and DHO fits (TSV)", GV_NO_RANGE, 0, 0},
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_QUIET(&quiet),
      GV_ARG_END};
  gv_cmd_spec spec = {cmd,
                      "--cl CL --ct CT --A A --a a --q Q1,Q2,... [--omega W1:W2:DW] [--variant first-order|resummed] [-o OUT.tsv] [--json]",
                      gba ? "Generalized Born approximation (Izzo, Ruocco, Cazzato, Front. Phys. 6, 108 (2018))\n"
                            "self-energies Sigma_L(q,w), Sigma_T(q,w) with the mixing of polarizations, dynamic\n"
                            "structure factors, currents, Brillouin poles, DHO fits and the Rayleigh law, for\n"
                            "exponentially correlated shear-modulus fluctuations. See docs/continuum.md."
                          : "Born approximation (non-local; --local for the local one) self-energies\n"
                            "Sigma_L(q,w), Sigma_T(q,w) with the channel split LL, LT, TT, TL, dynamic structure\n"
                            "factors, currents, Brillouin poles, DHO fits and the Rayleigh law, for exponentially\n"
                            "correlated shear-modulus fluctuations. See docs/continuum.md.",
                      0, 0};
  int rc = gv_cli_parse(&spec, args, argc, argv, NULL, NULL);
  if (rc == 1) return 0;
  if (rc) return 2;
  int status = GV_OK;
  double *q = NULL, *w = NULL, *qerr = NULL, *wbuf = NULL, *sbuf = NULL;
  size_t nq = 0, nw = 0;
  gv_born_sigma *map = NULL;
  pole_row *pr = NULL;
  gv_outfile f = {0}, fp = {0};

  gv_born_params p = {0};
  p.tol = tol;
  if (gba && local) return gv_cli_fail(cmd, GV_ERROR(GV_EINVAL, "--local applies to born only"));
  if (gba) {
    p.kind = GV_GBA_FIRST;
    if (variant && strcmp(variant, "resummed") == 0) p.kind = GV_GBA_RESUMMED;
    else if (variant && strcmp(variant, "first-order") != 0)
      return gv_cli_fail(cmd, GV_ERROR(GV_EINVAL, "--variant '%s': expected first-order or resummed", variant));
  } else {
    p.kind = local ? GV_BORN_LOCAL : GV_BORN_NONLOCAL;
    if (variant && strcmp(variant, "first-order") != 0 && strcmp(variant, "resummed") != 0)
      return gv_cli_fail(cmd, GV_ERROR(GV_EINVAL, "--variant '%s': expected first-order or resummed", variant));
    if (variant) fprintf(stderr, "glassvib born: note: --variant applies to gba only; ignored\n");
  }
  if (moduli) {
    double mcl, mct;
    if ((status = gv_theory_read_moduli_json(moduli, &mcl, &mct))) return gv_cli_fail(cmd, status);
    if (!args[0].given) cl = mcl;
    if (!args[1].given) ct = mct;
  }
  if (isnan(cl) || isnan(ct))
    return gv_cli_fail(cmd, GV_ERROR(GV_EINVAL, "need --cl and --ct (or --from-moduli FILE.json)"));
  if (!(cl > 0) || !(ct > 0))
    return gv_cli_fail(cmd, GV_ERROR(GV_EINVAL, "velocities must be positive (c_L = %g, c_T = %g)", cl, ct));
  if (moduli && !args[2].given && !args[3].given) {
    /* the glass's measured heterogeneity: same long-wavelength strength eps2 a^3 8 pi */
    double dv;
    if (physical || !(a > 0))
      return gv_cli_fail(cmd, GV_ERROR(GV_EINVAL, "the glass's disorder needs model units and --a > 0 (or give --eps2)"));
    if ((status = gv_theory_read_moduli_disorder(moduli, &dv)))
      return gv_cli_fail(cmd, GV_ERROR(status, "give --A or --eps2, or a moduli file of `glassvib moduli --local --json`"));
    eps2 = dv / (8 * M_PI * a * a * a);
    args[3].given = 1;
    fprintf(stderr, "glassvib %s: eps2 = %.6g from the glass's disorder volume %.6g lambda^3 at a = %g\n", cmd, eps2, dv, a);
  }
  if (args[2].given == args[3].given)
    return gv_cli_fail(cmd, GV_ERROR(GV_EINVAL, "give exactly one of --A and --eps2"));
  if (args[3].given) {
    if (eps2 < 0) return gv_cli_fail(cmd, GV_ERROR(GV_EINVAL, "eps^2 = %g must be >= 0", eps2));
    A = eps2 * ct * ct * ct * ct;
  }
  double vunit = physical ? GV_MS_TO_MEVNM : 1.0; /* velocities -> meV nm */
  p.cl = cl * vunit;
  p.ct = ct * vunit;
  p.A = A * vunit * vunit * vunit * vunit;
  p.a = a;
  if ((status = gv_born_validate(&p))) return gv_cli_fail(cmd, status);
  if ((status = gv_parse_double_list(qs, &q, &nq))) return gv_cli_fail(cmd, status);
  for (size_t i = 0; i < nq; i++)
    if (!(q[i] > 0)) {
      status = GV_ERROR(GV_EINVAL, "wavevector q = %g must be > 0", q[i]);
      goto cleanup;
    }
  double qmax = 0;
  for (size_t i = 0; i < nq; i++) qmax = fmax(qmax, q[i]);
  if (ws) {
    GV_TRY(gv_theory_parse_range(ws, &w, &nw));
  } else {
    nw = 2000;
    double wmax = 2 * p.cl * qmax;
    GV_ALLOC(w, nw);
    for (size_t j = 0; j < nw; j++) w[j] = wmax * (double)(j + 1) / (double)nw;
  }
  if (out) GV_TRY(gv_check_writable(out));
  if (poles) GV_TRY(gv_check_writable(poles));
  size_t nmap = nq * nw;
  GV_ALLOC(map, nmap);
  GV_ALLOC(qerr, nq);
  GV_ALLOC(pr, nq);
  double t0 = gv_wall_time();
  GV_TRY(gv_born_map(&p, q, nq, w, nw, map, qerr));
  double t_map = gv_wall_time() - t0;
  /* Poles and DHO fits, per q. */
  int fail = 0;
#pragma omp parallel
  {
    double *wb = malloc(nw * sizeof *wb), *sb = malloc(nw * sizeof *sb);
#pragma omp for schedule(dynamic, 1)
    for (long i = 0; i < (long)nq; i++) {
      gv_born_plan *pl = NULL;
      pole_row *r = &pr[i];
      if (!wb || !sb || gv_born_plan_create(&p, q[i], &pl) < 0) {
#pragma omp atomic write
        fail = 1;
        continue;
      }
      gv_born_pole(pl, 0, &r->OmL, &r->GaL);
      gv_born_pole(pl, 1, &r->OmT, &r->GaT);
      dho_on_map(q[i], p.cl, w, nw, map + (size_t)i * nw, 0, r->OmL, r->GaL, wb, sb, &r->OmLd, &r->GaLd);
      dho_on_map(q[i], p.ct, w, nw, map + (size_t)i * nw, 1, r->OmT, r->GaT, wb, sb, &r->OmTd, &r->GaTd);
      gv_born_plan_destroy(&pl);
    }
    free(wb);
    free(sb);
  }
  if (fail) {
    status = GV_ERROR(GV_ENOMEM, "pole search failed (out of memory)");
    goto cleanup;
  }
  double qerr_max = 0;
  for (size_t i = 0; i < nq; i++) qerr_max = fmax(qerr_max, qerr[i]);
  double RL = gv_born_rayleigh_coeff_L(&p), RT = gv_born_rayleigh_coeff_T(&p);
  const char *approx = p.kind == GV_BORN_LOCAL ? "local Born" : p.kind == GV_BORN_NONLOCAL ? "non-local Born"
                       : p.kind == GV_GBA_FIRST ? "GBA first-order" : "GBA resummed";
  char comments[1400];
  snprintf(comments, sizeof comments,
           "approximation: %s; c_L = %.10g, c_T = %.10g, A = %.10g, eps2 = %.10g, a = %.10g%s%s\n"
           "units: %s\n"
           "convention: G_P = 1/(w^2 - c_P^2 q^2 - Sigma_P), w -> w - i0, Im Sigma >= 0; "
           "Sigma_L = LL + LT, Sigma_T = (TT + TL)/2\n"
           "S_P = (q^2/w)|Im G_P|, C_P = (w^2/q^2) S_P; rayleigh_coeff_L = %.10g, rayleigh_coeff_T = %.10g\n"
           "t-quadrature: max relative error estimate %.3e (target %.1e)",
           approx, cl, ct, A, A / (ct * ct * ct * ct), a, moduli ? ", velocities from " : "",
           moduli ? moduli : "",
           physical ? "physical: q [nm^-1], omega [meV], Sigma [meV^2], S [nm^-2 meV^-3], C [meV^-1]"
                    : "dimensionless (omega = c q)",
           RL, RT, qerr_max, p.tol);
  if (out) {
    GV_TRY(gv_outfile_open(&f, out));
    const char *cols[] = {"q", "omega", "Re_Sigma_LL", "Im_Sigma_LL", "Re_Sigma_LT", "Im_Sigma_LT",
                          "Re_Sigma_TT", "Im_Sigma_TT", "Re_Sigma_TL", "Im_Sigma_TL", "Re_Sigma_L",
                          "Im_Sigma_L", "Re_Sigma_T", "Im_Sigma_T", "S_L", "S_T", "C_L", "C_T"};
    gv_tsv_header(f.fp, gba ? "glassvib gba: generalized Born approximation" : "glassvib born: Born approximation",
                  comments, cols, 18);
    for (size_t i = 0; i < nq; i++)
      for (size_t j = 0; j < nw; j++) {
        const gv_born_sigma *s = &map[i * nw + j];
        double SL, CL, ST, CT;
        gv_born_spectra(q[i], w[j], p.cl, s->L, &SL, &CL);
        gv_born_spectra(q[i], w[j], p.ct, s->T, &ST, &CT);
        fprintf(f.fp,
                "%.10g\t%.10g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\n",
                q[i], w[j], creal(s->LL), cimag(s->LL), creal(s->LT), cimag(s->LT), creal(s->TT),
                cimag(s->TT), creal(s->TL), cimag(s->TL), creal(s->L), cimag(s->L), creal(s->T),
                cimag(s->T), SL, ST, CL, CT);
      }
    GV_TRY(gv_outfile_commit(&f));
  }
  if (poles) {
    GV_TRY(gv_outfile_open(&fp, poles));
    const char *cols[] = {"q", "Omega_L", "Gamma_L", "Omega_L_dho", "Gamma_L_dho", "Omega_T",
                          "Gamma_T", "Omega_T_dho", "Gamma_T_dho", "Gamma_L_over_q4", "quad_rel_err"};
    gv_tsv_header(fp.fp, gba ? "glassvib gba: Brillouin poles" : "glassvib born: Brillouin poles", comments, cols, 11);
    for (size_t i = 0; i < nq; i++)
      fprintf(fp.fp, "%.10g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.3e\n", q[i],
              pr[i].OmL, pr[i].GaL, pr[i].OmLd, pr[i].GaLd, pr[i].OmT, pr[i].GaT, pr[i].OmTd, pr[i].GaTd,
              pr[i].GaL / pow(q[i], 4), qerr[i]);
    GV_TRY(gv_outfile_commit(&fp));
  }
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_array_num(&j, "q", q, nq);
    double *tmp = malloc(nq * sizeof *tmp);
    if (tmp) {
#define JCOL(key, field)                                      \
  for (size_t i = 0; i < nq; i++) tmp[i] = pr[i].field;       \
  gv_json_array_num(&j, key, tmp, nq);
      JCOL("Omega_L", OmL)
      JCOL("Gamma_L", GaL)
      JCOL("Omega_T", OmT)
      JCOL("Gamma_T", GaT)
      JCOL("Omega_L_dho", OmLd)
      JCOL("Gamma_L_dho", GaLd)
      JCOL("Omega_T_dho", OmTd)
      JCOL("Gamma_T_dho", GaTd)
#undef JCOL
      free(tmp);
    }
    gv_json_num(&j, "rayleigh_coeff_L", RL);
    gv_json_num(&j, "rayleigh_coeff_T", RT);
    gv_json_array_num(&j, "quad_rel_err_q", qerr, nq);
    gv_json_num(&j, "quad_rel_err", qerr_max);
    gv_json_str(&j, "approximation", approx);
    gv_json_str(&j, "units", physical ? "physical" : "dimensionless");
    gv_json_num(&j, "c_L", cl);
    gv_json_num(&j, "c_T", ct);
    gv_json_num(&j, "A", A);
    gv_json_num(&j, "eps2", A / (ct * ct * ct * ct));
    gv_json_num(&j, "a", a);
    gv_json_int(&j, "n_omega", (long long)nw);
    gv_json_num(&j, "map_seconds", t_map);
    gv_json_end(&j);
  } else {
    printf("%s: c_L = %g, c_T = %g, A = %g (eps^2 = %g), a = %g%s\n", approx, cl, ct, A,
           A / (ct * ct * ct * ct), a, physical ? " [physical units: q nm^-1, energies meV]" : "");
    printf("%12s %14s %14s %14s %14s %14s\n", "q", "Omega_L", "Gamma_L", "Omega_T", "Gamma_T", "Gamma_L/q^4");
    for (size_t i = 0; i < nq; i++)
      printf("%12.6g %14.8g %14.8g %14.8g %14.8g %14.8g\n", q[i], pr[i].OmL, pr[i].GaL, pr[i].OmT,
             pr[i].GaT, pr[i].GaL / pow(q[i], 4));
    printf("Rayleigh coefficient (q -> 0): Gamma_L ~ %.8g q^4, Gamma_T ~ %.8g q^4\n", RL, RT);
    printf("quadrature: relative error <= %.2e; map %zu x %zu in %.3f s\n", qerr_max, nq, nw, t_map);
  }
cleanup:
  if (status < 0) {
    gv_outfile_abort(&f);
    gv_outfile_abort(&fp);
  }
  free(q);
  free(w);
  free(qerr);
  free(map);
  free(pr);
  free(wbuf);
  free(sbuf);
  return status < 0 ? gv_cli_fail(cmd, status) : 0;
}

int gv_cmd_born(int argc, char **argv) { return gv_cli_born_main(argc, argv, 0); }
