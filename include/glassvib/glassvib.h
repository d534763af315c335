/* libglassvib: low-frequency vibrations of structural glasses. One header per module. */
#ifndef GLASSVIB_H
#define GLASSVIB_H
#include "glassvib/core.h"
#include "glassvib/io.h"
#include "glassvib/geom.h"
#include "glassvib/pot.h"
#include "glassvib/glass.h"
#include "glassvib/dyn.h"
#include "glassvib/theory.h"
#endif
