/* Bounded reader and writer over caller-owned bytes (wire/buf.h). Every helper is static
 * inline in the header (packet path); this unit stays so the build lists keep their shape. */
#include "wire/buf.h"
