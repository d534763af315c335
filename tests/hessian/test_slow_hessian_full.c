/* The Hessian tests of test_hessian.c over every taper in d = 4 as well (slow). */
#define GV_HESSIAN_FULL 1
#include "test_hessian.c"
