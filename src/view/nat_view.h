/* `show ip nat translations`: the technote's NAT translation table, text and JSON. */
#ifndef IKG_NAT_VIEW_H
#define IKG_NAT_VIEW_H

#include "common/strbuf.h"
#include "common/types.h"
#include "nat/table.h"

/* The header line of the technote's screens. */
#define NAT_VIEW_HEADER \
	"LAN IP Address-- Port-- WAN IP Address-- Port-- Rem IP Address-- Port-- Dir-- Prot h:mm"

/* Appends the table in the technote's format, entries in creation order:
 *
 *   LAN IP Address-- Port-- WAN IP Address-- Port-- Rem IP Address-- Port-- Dir-- Prot h:mm
 *    10.0.0.2       500     10.0.0.2       500   10.0.0.1       500  in   UDP 0:02
 *   <blank line>
 *   Total entries in NAT cache: 1
 *
 * Columns (0-based): LAN IP 0-14, LAN port 15-19, WAN IP 23-37, WAN port 38-42, Rem IP 44-58,
 * Rem port 59-63, Dir 65-67, Prot from 70, then a space and h:mm. Addresses are written with
 * the first octet right-aligned in 3 ("%3u.%u.%u.%u", hence " 10.0.0.2") and left-aligned in
 * 15 columns; ports are centred in 5 (" 500 ", "55663"); ESP/AH rows have blank ports and an
 * ICMP row shows its echo ids with a blank remote port. h:mm is the entry's age (now minus
 * creation), hours and minutes. Lines end without trailing blanks. */
void nat_view_render(const struct nat_table *t, ikg_ms now, struct strbuf *out);

/* {"entries":[{"lan_ip":"10.0.0.2","lan_port":500,"wan_ip":"10.0.0.2","wan_port":500,
 *   "rem_ip":"10.0.0.1","rem_port":500,"dir":"in","proto":"UDP","age_s":120,
 *   "expires_in_s":480}],"total":1}
 * Ports are null where the text view leaves them blank (ESP, AH; ICMP's rem_port). See
 * docs/json-schema.md. */
void nat_view_json(const struct nat_table *t, ikg_ms now, struct strbuf *out);

#endif
