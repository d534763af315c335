/* Tables of the lattice kernel's single-precision power t = u^-0.4 (src/models/
 * lattice.c; also read by bench/lattice/throughput.c, which times the same power). */
#ifndef GLASSVIB_LATTICE_POWER_H
#define GLASSVIB_LATTICE_POWER_H

/* 2^(0.4 k) rounded to float, k = 0 .. 16, then padding (index never exceeds 16). */
static const float lt_tab[32] = {
    0x1.000000p+0f, 0x1.51cb46p+0f, 0x1.bdb8cep+0f, 0x1.261118p+1f, 0x1.840600p+1f, 0x1.000000p+2f,
    0x1.51cb46p+2f, 0x1.bdb8cep+2f, 0x1.261118p+3f, 0x1.840600p+3f, 0x1.000000p+4f, 0x1.51cb46p+4f,
    0x1.bdb8cep+4f, 0x1.261118p+5f, 0x1.840600p+5f, 0x1.000000p+6f, 0x1.51cb46p+6f, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1};
/* m^-0.4 on [1, 2] in 16 intervals [1 + j/16, 1 + (j+1)/16): a cubic in
 * z = m - 1 - j/16 - 1/32 per interval (least squares in the relative error on 200
 * Chebyshev nodes, near-minimax: 7.8e-8 with float Horner), lt_coef[i][j] the
 * coefficient of z^(3-i). Why not one polynomial over [1, 2]: that needs degree 9,
 * and the FMA pipes are the kernel's bottleneck (they also run the AES rounds);
 * the per-interval coefficients come from 16-entry register permutes instead. */
static const float lt_coef[4][16] = {
    {-0x1.9d78bap-3f, -0x1.5279d8p-3f, -0x1.182f58p-3f, -0x1.d481f8p-4f, -0x1.8b3b02p-4f, -0x1.5020cep-4f,
     -0x1.1ffa64p-4f, -0x1.f0c81ep-5f, -0x1.af242cp-5f, -0x1.784d6ep-5f, -0x1.4a29b2p-5f, -0x1.231694p-5f,
     -0x1.01cbb2p-5f, -0x1.ca8a0ap-6f, -0x1.9965e4p-6f, -0x1.6edce4p-6f},
    {0x1.0a797cp-2f, 0x1.ceba5ep-3f, 0x1.94edfep-3f, 0x1.64d9e4p-3f, 0x1.3c7a28p-3f, 0x1.1a483ap-3f, 0x1.fa30b2p-4f,
     0x1.c80336p-4f, 0x1.9c99ep-4f, 0x1.76d1fcp-4f, 0x1.55c282p-4f, 0x1.38afp-4f, 0x1.1efddap-4f, 0x1.0830e2p-4f,
     0x1.e7bf8cp-5f, 0x1.c36752p-5f},
    {-0x1.885438p-2f, -0x1.694e38p-2f, -0x1.4e432ap-2f, -0x1.368344p-2f, -0x1.218416p-2f, -0x1.0ed73ep-2f,
     -0x1.fc477ep-3f, -0x1.de423cp-3f, -0x1.c32794p-3f, -0x1.aa94c6p-3f, -0x1.943758p-3f, -0x1.7fc9e6p-3f,
     -0x1.6d11b2p-3f, -0x1.5bdcb2p-3f, -0x1.4c0002p-3f, -0x1.3d56bap-3f},
    {0x1.f9bc9p-1f, 0x1.edf8f2p-1f, 0x1.e31d14p-1f, 0x1.d90bfap-1f, 0x1.cfad8cp-1f, 0x1.c6ed8ap-1f, 0x1.bebad6p-1f,
     0x1.b706cep-1f, 0x1.afc4e2p-1f, 0x1.a8ea32p-1f, 0x1.a26d4ap-1f, 0x1.9c45e2p-1f, 0x1.966cb4p-1f, 0x1.90db5p-1f,
     0x1.8b8c04p-1f, 0x1.8679b6p-1f},
};

#endif
