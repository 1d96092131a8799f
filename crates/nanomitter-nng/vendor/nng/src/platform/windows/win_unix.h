//
// Copyright 2026 Staysail Systems, Inc. <info@staysail.tech>
//
// This software is supplied under the terms of the MIT License, a
// copy of which should be located in the distribution where this
// file was obtained (LICENSE.txt).  A copy of the license may also be
// found online at https://opensource.org/licenses/MIT.
//

#ifndef PLATFORM_WIN_UNIX_H
#define PLATFORM_WIN_UNIX_H

#include "core/nng_impl.h"

#ifdef NNG_HAVE_UNIX_SOCKETS
#include <afunix.h>
#endif

#endif // PLATFORM_WIN_UNIX_H
