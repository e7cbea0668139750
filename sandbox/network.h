/* Network namespace set-up: in a new netns only the loopback exists, and it
 * is down. Bringing it up (with libnl-route-3) lets the command talk to
 * itself over 127.0.0.1 and nothing else. */
#pragma once

#include "common/error.h"

int mb_net_loopback_up(struct mb_error *err);
