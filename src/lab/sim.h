/* The lab's virtual network: gateways (the real core), LAN hosts, WAN links, NAT boxes and
 * firewalls on a virtual clock. Deterministic: the same scenario and seed print the same bytes. */
#ifndef IKG_LAB_SIM_H
#define IKG_LAB_SIM_H

#include "common/strbuf.h"
#include "lab/scenario.h"

/* Runs the scenario, appending everything it prints to out. Returns the number of failed
 * expectations (0 = all passed), or -1 when the network could not be built. */
int lab_simulate(const struct scenario *s, uint64_t seed, struct strbuf *out);

#endif
