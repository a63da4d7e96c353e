/* Umbrella header of the Hallmark Swift module (module.modulemap): the verifier's public API. */
#ifndef HALLMARK_UMBRELLA_H
#define HALLMARK_UMBRELLA_H

#include "../../include/hallmark.h"

#endif
