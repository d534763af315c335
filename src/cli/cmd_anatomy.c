/* glassvib anatomy: the soft-mode anatomy of seed 002 (Buchenau 2020) for one
 * mode (harmonic, from `glassvib modes --vectors`, or nonlinear, from
 * `glassvib nlmodes`) of a 3D glass, with optional conversion to the real
 * units of a metallic glass (docs/qlm.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/analysis.h"
#include "glassvib/glassvib.h"
#include "glassvib/qlm.h"

#define KB_EV 8.617333262e-5

int gv_cmd_anatomy(int argc, char **argv) {
  int status = GV_OK, json = 0, quiet = 0, force = 0;
  long long threads = 0, dim = 0, mode = -1;
  double state_tol = 1e-4, Bm = NAN, Gm = NAN, rc = 0, amax = 0.5, shell_in = 6, shell_out = 0;
  double mass = NAN, a0 = NAN, E0 = NAN, vl = NAN, wD = NAN;
  const char *model = NULL, *out = NULL, *shells = NULL, *material = "none", *dos = NULL, *crout = NULL;
  double es_rc = 2.6, es_amax = 3.0, es_step = 0.05;
  int no_creation = 0;
  gv_arg args[] = {
      {"mode", 0, GV_ARG_INT, &mode, "I", "index of the mode in MODES.h5 (0 = lowest)", 0, 1e9, 1, 0},
      {"material", 0, GV_ARG_STRING, &material, "NAME", "real units: pd78si16cu6, nizr2 (seed 002) or custom (with the flags below); default none", GV_NO_RANGE, 0, 0},
      {"mass-amu", 0, GV_ARG_DOUBLE, &mass, "M", "custom: average atomic mass [amu]", 1e-6, 1e6, 0, 0},
      {"a0-nm", 0, GV_ARG_DOUBLE, &a0, "A", "custom: length unit a0 [nm]", 1e-6, 1e6, 0, 0},
      {"E0-eV", 0, GV_ARG_DOUBLE, &E0, "E", "custom: energy unit E0 [eV]", 1e-12, 1e6, 0, 0},
      {"vl", 0, GV_ARG_DOUBLE, &vl, "V", "custom: longitudinal sound velocity [m/s]", 1e-6, 1e9, 0, 0},
      {"omegaD-meV", 0, GV_ARG_DOUBLE, &wD, "W", "custom: Debye energy hbar omega_D [meV]", 1e-9, 1e9, 0, 0},
      {"dos", 0, GV_ARG_STRING, &dos, "FILE", "g(omega) table (omega [meV], g [1/meV]) for the damping Gamma(omega) of Eq. 12 (needs omega_D)", GV_NO_RANGE, 0, 0},
      {"B", 0, GV_ARG_DOUBLE, &Bm, "B", "bulk modulus [eps/lambda^3] (default: computed, glassvib moduli)", 1e-12, 1e12, 0, 0},
      {"G", 0, GV_ARG_DOUBLE, &Gm, "G", "shear modulus [eps/lambda^3] (default: computed)", 1e-12, 1e12, 0, 0},
      {"rc", 0, GV_ARG_DOUBLE, &rc, "R", "core radius for D1..D4 (default: where D4 saturates)", 0, 1e6, 0, 0},
      {"amax", 0, GV_ARG_DOUBLE, &amax, "A", "core energies for A in [-amax, amax] (default 0.5)", 1e-6, 100, 0, 0},
      {"shell-in", 0, GV_ARG_DOUBLE, &shell_in, "R", "dipole-tensor fit from r = R (default 6 a0)", 0, 1e6, 0, 0},
      {"shell-out", 0, GV_ARG_DOUBLE, &shell_out, "R", "... to r = R (default 0.4 L)", 0, 1e6, 0, 0},
      {"es-rc", 0, GV_ARG_DOUBLE, &es_rc, "R", "creation energy E_s, Delta A (Sec. II F): core radius (default 2.6 a0, the seed's)", 1e-3, 1e6, 0, 0},
      {"es-amax", 0, GV_ARG_DOUBLE, &es_amax, "A", "... outer mode displacements |A| <= A (default 3)", 1e-3, 100, 0, 0},
      {"es-step", 0, GV_ARG_DOUBLE, &es_step, "H", "... scan step (default 0.05)", 1e-4, 10, 0, 0},
      {"no-creation", 0, GV_ARG_FLAG, &no_creation, NULL, "skip E_s and Delta A (the core relaxations)", GV_NO_RANGE, 0, 0},
      {"creation", 0, GV_ARG_STRING, &crout, "FILE", "the E_s scan: A, relaxed and rigid core energies, F = E - E0 - D1 A, Delta A (TSV)", GV_NO_RANGE, 0, 0},
      GV_ARG_OUT(&out, "D2(r_c), D4(r_c), the Eq. 6 model and the elastic-only D2 (TSV)"),
      {"shells", 0, GV_ARG_STRING, &shells, "FILE", "<e^2>_shell r_s^4 of the mode and of the elastic field (TSV)", GV_NO_RANGE, 0, 0},
      {"force", 0, GV_ARG_FLAG, &force, NULL, "analyse a glass that is not at a force minimum", GV_NO_RANGE, 0, 0},
      {"state-tol", 0, GV_ARG_DOUBLE, &state_tol, "F", "inherent-state test: max force component (default 1e-4)", 0, 1e9, 0, 0},
      GV_ARG_INPUT_MODEL(&model),
      GV_ARG_INPUT_DIM(&dim),
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_QUIET(&quiet),
      GV_ARG_END};
  gv_cmd_spec spec = {"anatomy", "GLASS.h5 MODES.h5 --mode I [--material pd78si16cu6|nizr2|custom...] [--json]",
                      "Soft-mode anatomy (Buchenau 2020, seed 002): mode centre (Eq. 1), core energy "
                      "E(A) and its soft-potential fit D1..D4 (Eq. 2) with D2(r_c), D4(r_c), elastic "
                      "dipole tensor P fitted with the isotropic Green function and the glass's B, G "
                      "(Eqs. 3-5), principal values, <e^2>_shell r^4, random-motion factor f_r (Eq. 6), "
                      "couplings lambda_t, lambda_l (Eqs. 8, 9), N e, W and A0 (Eqs. 10, 11), damping "
                      "coefficient (Eq. 12); real units for a material. MODES.h5 from glassvib modes "
                      "--vectors or glassvib nlmodes. JSON keys: center, D2, D4, P_principal, lambda_t, "
                      "lambda_l, Ne, W, A0 (and kappa, rc, D, f_r, gamma_coef, real-unit values).",
                      2, 2};
  const char **pos;
  int npos;
  int rcode = gv_cli_parse(&spec, args, argc, argv, &pos, &npos);
  if (rcode) return rcode > 0 ? 0 : 2;
  gv_glass g;
  gv_glass_init(&g);
  gv_pairset *ps = NULL;
  gv_hessian *H = NULL;
  gv_anatomy *an = NULL;
  gv_modes hm;
  memset(&hm, 0, sizeof hm);
  gv_h5 *h = NULL;
  double *vecs = NULL, *e = NULL, *dtab = NULL;
  size_t ndos = 0, ncold = 0;
  gv_outfile fo = {0}, fs = {0}, fc = {0};
  gv_material mat;
  /* material first: a bad name or missing constants fail before any work */
  GV_TRY(gv_material_builtin(material, &mat));
  if (!strcmp(material, "custom")) {
    mat.mass_amu = mass;
    mat.a0_nm = a0;
    mat.E0_eV = E0;
    mat.vl_ms = vl;
    mat.omegaD_meV = wD;
    int su = isfinite(mass) && isfinite(a0) && isfinite(E0), dmp = isfinite(wD);
    if (!su && !dmp) {
      status = GV_ERROR(GV_EINVAL, "material custom needs --mass-amu, --a0-nm and --E0-eV (W, A0, Lambda_t) "
                                   "and/or --omegaD-meV (damping)");
      goto cleanup;
    }
    if ((isfinite(mass) || isfinite(a0) || isfinite(E0)) && !su) {
      status = GV_ERROR(GV_EINVAL, "material custom: --mass-amu, --a0-nm and --E0-eV must be given together");
      goto cleanup;
    }
  } else if (isfinite(mass) || isfinite(a0) || isfinite(E0) || isfinite(vl) || isfinite(wD)) {
    status = GV_ERROR(GV_EINVAL, "--mass-amu/--a0-nm/--E0-eV/--vl/--omegaD-meV need --material custom");
    goto cleanup;
  }
  if (dos && !(mat.omegaD_meV > 0)) {
    status = GV_ERROR(GV_EINVAL, "--dos: material '%s' has no Debye frequency (omega_D) for Eq. 12", material);
    goto cleanup;
  }
  if (dos) GV_TRY(gv_tsv_read(dos, &dtab, &ndos, &ncold));
  if (dos && ncold < 2) {
    status = GV_ERROR(GV_EFORMAT, "%s: need two columns omega [meV], g [1/meV]", dos);
    goto cleanup;
  }
  if (out) GV_TRY(gv_check_writable(out));
  if (shells) GV_TRY(gv_check_writable(shells));
  if (crout) GV_TRY(gv_check_writable(crout));
  if (crout && no_creation) {
    status = GV_ERROR(GV_EINVAL, "--creation needs the creation-energy scan (drop --no-creation)");
    goto cleanup;
  }
  if (!(es_amax >= 2 * es_step)) {
    status = GV_ERROR(GV_EINVAL, "--es-amax %g must be at least two steps (--es-step %g)", es_amax, es_step);
    goto cleanup;
  }
  GV_TRY(gv_glass_read(pos[0], model, (int)dim, &g));
  long nd = (long)g.sys->dim * g.sys->n;
  /* the mode: nonlinear-mode file or harmonic MODES.h5 */
  GV_TRY(gv_h5_open(&h, pos[1]));
  int is_nl = gv_h5_exists(h, "/nlmodes/vectors") == 1;
  if (is_nl) {
    int rank;
    size_t dims[4];
    GV_TRY(gv_h5_read_doubles(h, "/nlmodes/vectors", &vecs, &rank, dims));
    if (rank != 2 || (long)dims[1] != nd) {
      status = GV_ERROR(GV_EINVAL, "%s: modes of %zu components, the glass has %ld", pos[1], dims[1], nd);
      goto cleanup;
    }
    if (mode >= (long long)dims[0]) {
      status = GV_ERROR(GV_EINVAL, "--mode %lld out of range: %s holds %zu modes", mode, pos[1], dims[0]);
      goto cleanup;
    }
    GV_ALLOC(e, nd);
    memcpy(e, vecs + mode * nd, sizeof(double) * nd);
  }
  gv_h5_close(&h, 0);
  if (!is_nl) {
    GV_TRY(gv_modes_read(pos[1], 1, &hm));
    if (hm.n_negative > 0) {
      status = GV_ERROR(GV_EUNSTABLE, "%s: the glass has %d negative mode(s): it is unstable", pos[1], hm.n_negative);
      goto cleanup;
    }
    if (!hm.vec) {
      status = GV_ERROR(GV_EFORMAT, "%s has no eigenvectors (run glassvib modes --vectors)", pos[1]);
      goto cleanup;
    }
    if (hm.n != g.sys->n || hm.dim != g.sys->dim) {
      status = GV_ERROR(GV_EINVAL, "%s is for %ld particles in %dD, the glass has %ld in %dD", pos[1], hm.n, hm.dim,
                        g.sys->n, g.sys->dim);
      goto cleanup;
    }
    if (mode >= hm.k) {
      status = GV_ERROR(GV_EINVAL, "--mode %lld out of range: %s holds %d modes", mode, pos[1], hm.k);
      goto cleanup;
    }
    GV_ALLOC(e, nd);
    memcpy(e, hm.vec + mode * nd, sizeof(double) * nd);
  }
  if (g.sys->dim != 3) {
    status = GV_ERROR(GV_ENOTSUP, "the soft-mode anatomy is 3D only; %s is %dD", pos[0], g.sys->dim);
    goto cleanup;
  }
  GV_TRY(gv_analysis_check_inherent(&g, state_tol, force));
  if (!(Bm > 0 && Gm > 0)) {
    gv_moduli mo;
    GV_TRY(gv_hessian_create(&H, &g.model, g.sys, 0.0));
    GV_TRY(gv_moduli_compute(H, g.sys, NULL, &mo));
    if (!(Bm > 0)) Bm = mo.B;
    if (!(Gm > 0)) Gm = mo.G;
  }
  GV_TRY(gv_pairset_create_model(&ps, &g.model, g.sys, 0.6));
  gv_anatomy_opts o;
  gv_anatomy_opts_default(&o);
  o.B = Bm;
  o.G = Gm;
  o.rc = rc;
  o.amax = amax;
  o.shell_in = shell_in;
  o.shell_out = shell_out;
  o.creation = !no_creation;
  o.cr.rc = es_rc;
  o.cr.amax = es_amax;
  o.cr.astep = es_step;
  GV_TRY(gv_anatomy_run(&g.model, g.sys, ps, e, &o, &an));
  /* real units */
  double conf = gv_material_confinement_eV(&mat); /* hbar^2/(M a0^2) [eV] */
  double W_K = NAN, A0_pm = NAN, Lt_eV = NAN, Ll_eV = NAN;
  if (conf > 0 && mat.E0_eV > 0) {
    W_K = an->W * cbrt(mat.E0_eV) * pow(conf, 2.0 / 3.0) / KB_EV;
    /* A0 unit M^(1/2) a0 (hbar^2/(E0 M a0^2))^(1/6): as a displacement amplitude of one atom, a0 (...)^(1/6) */
    A0_pm = an->A0 * mat.a0_nm * 1000 * pow(conf / mat.E0_eV, 1.0 / 6.0);
    /* Lambda = lambda A0 in energy: E0 (hbar^2/(E0 M a0^2))^(1/6) */
    Lt_eV = an->lambda_t * an->A0 * mat.E0_eV * pow(conf / mat.E0_eV, 1.0 / 6.0);
    Ll_eV = an->lambda_l * an->A0 * mat.E0_eV * pow(conf / mat.E0_eV, 1.0 / 6.0);
  }
  double gam_meV2 = mat.omegaD_meV > 0 ? an->gamma_coef * mat.omegaD_meV * mat.omegaD_meV : NAN;
  if (out) {
    GV_TRY(gv_outfile_open(&fo, out));
    char cm[256];
    snprintf(cm, sizeof cm, "mode %lld of %s; centre %.4f %.4f %.4f; kappa %.8g; B %.6g G %.6g; f_r %.6g", mode,
             pos[1], an->center[0], an->center[1], an->center[2], an->kappa, Bm, Gm, an->f_r);
    const char *cols[] = {"r_c[lambda]", "D2[eps/A^2]", "D4[eps/A^4]", "D2_model_eq6[eps/A^2]", "D2_elastic_only[eps/A^2]"};
    gv_tsv_header(fo.fp, "glassvib anatomy: core restoring forces", cm, cols, 5);
    for (long r = 0; r < an->nrc; r++)
      fprintf(fo.fp, "%.4f\t%.8g\t%.8g\t%.8g\t%.8g\n", an->rc_scan[r], an->D2_scan[r], an->D4_scan[r], an->D2_model[r],
              an->kappa / 2 - gv_elastic_dipole_energy_outside(Bm, Gm, an->P, an->rc_scan[r]));
  }
  if (shells) {
    GV_TRY(gv_outfile_open(&fs, shells));
    const char *cols[] = {"r_s[lambda]", "<e^2>r^4(mode)", "<e^2>r^4(elastic dipole)"};
    gv_tsv_header(fs.fp, "glassvib anatomy: shell mean-square displacements", NULL, cols, 3);
    for (long b = 0; b < an->nshell; b++)
      fprintf(fs.fp, "%.4f\t%.8g\t%.8g\n", an->shell_r[b], an->shell_e2r4[b], an->shell_el_e2r4[b]);
  }
  if (crout && an->has_creation) {
    const gv_creation *c = &an->cr;
    GV_TRY(gv_outfile_open(&fc, crout));
    char cm[256];
    snprintf(cm, sizeof cm, "mode %lld of %s; core r_c %.3f (%ld atoms); E0 %.10g; D1 %.8g", mode, pos[1], c->rc,
             c->ncore, c->E0, c->D1);
    const char *cols[] = {"A_out[A]", "E_relaxed-E0[eps]", "E_rigid-E0[eps]", "F=E_relaxed-E0-D1*A[eps]",
                          "DeltaA_inside[A]", "back_frac"};
    gv_tsv_header(fc.fp, "glassvib anatomy: soft-mode creation energy scan (seed 002 Sec. II F)", cm, cols, 6);
    for (long k = 0; k < c->npts; k++)
      fprintf(fc.fp, "%.5f\t%.10g\t%.10g\t%.10g\t%.8g\t%.6g\n", c->A[k], c->E[k] - c->E0, c->E_rigid[k] - c->E0,
              c->E[k] - c->E0 - c->D1 * c->A[k], c->Ain[k], c->back[k]);
  }
  if (out) GV_TRY(gv_outfile_commit(&fo));
  if (crout && an->has_creation) GV_TRY(gv_outfile_commit(&fc));
  if (shells) GV_TRY(gv_outfile_commit(&fs));
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_array_num(&j, "center", an->center, 3);
    gv_json_num(&j, "D2", an->D[2]);
    gv_json_num(&j, "D4", an->D[4]);
    gv_json_array_num(&j, "P_principal", an->P_principal, 3);
    gv_json_num(&j, "lambda_t", an->lambda_t);
    gv_json_num(&j, "lambda_l", an->lambda_l);
    gv_json_num(&j, "Ne", an->Ne);
    gv_json_num(&j, "W", an->W);
    gv_json_num(&j, "A0", an->A0);
    gv_json_num(&j, "kappa", an->kappa);
    gv_json_num(&j, "rc", an->rc);
    gv_json_int(&j, "n_core", an->n_core);
    gv_json_array_num(&j, "D", an->D, 5);
    gv_json_num(&j, "f_r", an->f_r);
    gv_json_num(&j, "P_fit_rms", an->P_rms);
    gv_json_num(&j, "planar_shear", an->planar_shear);
    gv_json_num(&j, "second_shear", an->second_shear);
    gv_json_num(&j, "gamma_coef", an->gamma_coef);
    gv_json_num(&j, "center_frac", an->center_frac);
    gv_json_array_num(&j, "A_rigid", an->A_rigid, 2);
    gv_json_array_num(&j, "E_rigid_well", an->E_rigid_well, 2);
    gv_json_num(&j, "D2_elastic_rc", an->D2_elastic_rc);
    gv_json_num(&j, "random_share", an->random_share);
    gv_json_num(&j, "radial_frac", an->radial_frac);
    gv_json_num(&j, "omega_r", an->omega_r);
    gv_json_num(&j, "omega_D", an->omega_D);
    if (an->has_creation) {
      const gv_creation *c = &an->cr;
      gv_json_num(&j, "Es", c->Es);
      gv_json_num(&j, "dA", c->dA);
      gv_json_num(&j, "Es_plus", c->Es_dir[0]);
      gv_json_num(&j, "Es_minus", c->Es_dir[1]);
      gv_json_num(&j, "dA_plus", c->dA_dir[0]);
      gv_json_num(&j, "dA_minus", c->dA_dir[1]);
      gv_json_num(&j, "Aout_plus", c->Aout_dir[0]);
      gv_json_num(&j, "Aout_minus", c->Aout_dir[1]);
      gv_json_num(&j, "back_frac", c->back_frac);
      gv_json_num(&j, "es_rc", c->rc);
      gv_json_int(&j, "es_ncore", c->ncore);
      gv_json_num(&j, "es_D1", c->D1);
      gv_json_int(&j, "es_unconverged", c->n_unconverged);
    }
    gv_json_num(&j, "B", Bm);
    gv_json_num(&j, "G", Gm);
    gv_json_str(&j, "material", material);
    gv_json_num(&j, "W_K", W_K);
    gv_json_num(&j, "A0_pm", A0_pm);
    gv_json_num(&j, "Lambda_t_eV", Lt_eV);
    gv_json_num(&j, "Lambda_l_eV", Ll_eV);
    gv_json_num(&j, "Gamma_over_gexc_meV2", gam_meV2);
    if (dos) {
      gv_json_array_begin(&j, "Gamma_meV");
      for (size_t q = 0; q < ndos; q++) {
        double w = dtab[q * ncold], gex = dtab[q * ncold + 1] - 3 * w * w / pow(mat.omegaD_meV, 3);
        gv_json_num(&j, NULL, gam_meV2 * gex);
      }
      gv_json_array_end(&j);
    }
    gv_json_end(&j);
  } else {
    printf("# glassvib anatomy: mode %lld of %s (%s), glass %s; units E0 = eps, a0 = lambda, A = m^1/2 lambda\n",
           mode, pos[1], is_nl ? "nonlinear" : "harmonic", pos[0]);
    printf("# centre %.4f %.4f %.4f (%ld atoms within 3.5); kappa %.6g; core r_c %.2f (%ld atoms): "
           "D1 %.4g D2 %.4g D3 %.4g D4 %.4g\n",
           an->center[0], an->center[1], an->center[2], an->n_core_center, an->kappa, an->rc, an->n_core,
           an->D[1], an->D[2], an->D[3], an->D[4]);
    double Es = an->has_creation ? an->cr.Es : NAN, dA = an->has_creation ? an->cr.dA : NAN;
    printf("# mode\tf_r\tP11\tP22\tP33\tE_s\tdA\tNe\tD4\tlambda_t\tlambda_l\tW\tA0\n");
    printf("%lld\t%.2f\t%.1f\t%.1f\t%.1f\t%.2f\t%.2f\t%.1f\t%.2f\t%.2f\t%.2f\t%.3f\t%.3f\n", mode, an->f_r,
           an->P_principal[0], an->P_principal[1], an->P_principal[2], Es, dA, an->Ne, an->D[4], an->lambda_t,
           an->lambda_l, an->W, an->A0);
    if (an->has_creation) {
      const gv_creation *c = &an->cr;
      printf("# creation (Sec. II F, r_c %.2f, %ld core atoms): E_s %.4g / %.4g, Delta A %.3g / %.3g at A_out %.3g / %.3g "
             "(A > 0 / A < 0); inside motion along the mode %.0f %%; D1 %.4g\n",
             c->rc, c->ncore, c->Es_dir[0], c->Es_dir[1], c->dA_dir[0], c->dA_dir[1], c->Aout_dir[0], c->Aout_dir[1],
             100 * c->back_frac, c->D1);
      if (c->n_unconverged) printf("# warning: %ld core relaxations stopped above the force tolerance\n", c->n_unconverged);
    }
    printf("# centre sphere holds %.0f %% of e^2; rigid-core minima (Fig. 1) A = %.3g / %.3g; D2(r_c) elastic only %.4g; "
           "random motion %.0f %% of the outside restoring force (radial share %.2f); omega_r = sqrt(2 f_r) = %.3g = %.2f omega_D\n",
           100 * an->center_frac, an->A_rigid[0], an->A_rigid[1], an->D2_elastic_rc, 100 * an->random_share,
           an->radial_frac, an->omega_r, an->omega_r / an->omega_D);
    printf("# B %.4g G %.4g (dipole fit rms %.2f of the shell signal); planar shear %.1f, second shear %.1f;"
           " Gamma(w) = %.4g omega_D^2 g_exc(w)\n",
           Bm, Gm, an->P_rms, an->planar_shear, an->second_shear, an->gamma_coef);
    if (isfinite(W_K))
      printf("# %s: W/k_B = %.3g K, A0 = %.3g pm, Lambda_t = %.3g eV, Lambda_l = %.3g eV\n", material, W_K,
             A0_pm, Lt_eV, Ll_eV);
    if (isfinite(gam_meV2)) printf("# %s: Gamma(omega) = %.4g meV^2 x g_exc(omega)[1/meV]\n", material, gam_meV2);
    for (size_t q = 0; dos && q < ndos; q++) {
      double w = dtab[q * ncold], gex = dtab[q * ncold + 1] - 3 * w * w / pow(mat.omegaD_meV, 3);
      printf("Gamma\t%.4g meV\t%.6g meV\n", w, gam_meV2 * gex);
    }
  }
cleanup:
  gv_outfile_abort(&fo);
  gv_outfile_abort(&fs);
  gv_outfile_abort(&fc);
  if (h) gv_h5_close(&h, 0);
  free(vecs);
  free(e);
  free(dtab);
  gv_modes_free(&hm);
  gv_anatomy_destroy(&an);
  gv_pairset_destroy(&ps);
  gv_hessian_destroy(&H);
  gv_glass_free(&g);
  return status < 0 ? gv_cli_fail("anatomy", status) : 0;
}
