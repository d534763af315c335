/* libglassvib: low-frequency vibrations of structural glasses. One header per module
 * (dependencies point downward: core, io, geom, pot, dyn, hessian, linalg,
 * analysis/spectrum/qlm, models, theory, ensemble, plot). */
#ifndef GLASSVIB_H
#define GLASSVIB_H
#include "glassvib/core.h"
#include "glassvib/io.h"
#include "glassvib/geom.h"
#include "glassvib/pot.h"
#include "glassvib/glass.h"
#include "glassvib/dyn.h"
#include "glassvib/hessian.h"
#include "glassvib/linalg.h"
#include "glassvib/analysis.h"
#include "glassvib/spectrum.h"
#include "glassvib/qlm.h"
#include "glassvib/models.h"
#include "glassvib/theory.h"
#include "glassvib/ensemble.h"
#include "glassvib/ensemble_models.h"
#include "glassvib/plot.h"
#endif
