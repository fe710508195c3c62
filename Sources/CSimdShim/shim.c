// Header-only target; see include/simdshim.h.
