// ap_int.h - part of the ap_fixed stand-in for burn's tests (see ap_fixed.h): NOT the vendor's
// header. ap_int converts like a C++ integer (truncation towards zero, wrap-around).
#ifndef BURN_AP_INT_SHIM_H
#define BURN_AP_INT_SHIM_H

#include "ap_fixed.h"

template <int W>
using ap_int = ap_fixed<W, W, AP_TRN_ZERO, AP_WRAP>;
template <int W>
using ap_uint = ap_ufixed<W, W, AP_TRN_ZERO, AP_WRAP>;

#endif
