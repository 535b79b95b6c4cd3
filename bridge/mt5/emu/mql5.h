// The MQL5 emulation: include this, then the .mq5 (rewritten by build.ts), then runner.h.
#pragma once
#include "types.h"
#include "builtins.h"
#include "files.h"
#include "net.h"
#include "broker.h"
#include "trade.h"
#include "events.h"
