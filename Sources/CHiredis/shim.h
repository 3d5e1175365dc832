#ifndef SESSIONRANK_CHIREDIS_SHIM_H
#define SESSIONRANK_CHIREDIS_SHIM_H
// Only the protocol half of hiredis is used: the reply reader and the command formatter.
// Sockets belong to SwiftNIO.
#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#endif
