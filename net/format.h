// net/format.h — protocols, endpoints and flows as every report and tool writes them for
// people: "tcp", "[2001:db8::1]:443", "tcp 10.0.1.5:1024 -> 10.0.2.10:8080".
//
// Key idea: one table of protocol names (the spellings of tcpdump and /etc/protocols) and one
// fallback, "protocol N", for numbers without a name, used for reading as well as writing, so a
// report, a rule's text and the decoder's lines name a protocol alike.
//
// Semantics:
//   - protocol_name: tcp, udp, icmp, icmpv6, gre, esp, sctp; any other number is "protocol N".
//   - format_endpoint: "address:port"; an IPv6 address in brackets (RFC 3986 §3.2.2).
//   - format_five_tuple: TCP and UDP with ports; ICMP and ICMPv6 with "type T code C" (the
//     port fields carry them, net/five_tuple.h); other protocols with the bare addresses.
//   - tcp_flag_letters: one letter per set flag, FIN first ("FSRPAUEWN", as tcpdump orders
//     them); "" when none is set. Bits above AE have no letter.
//
// Example:
//   protocol_name(net::kProtoTcp) == "tcp"; protocol_name(254) == "protocol 254"
//   format_five_tuple(t) == "icmp 192.0.2.1 -> 10.0.1.5 type 3 code 4"
//
// These allocate a string each: they are for reports and tool output, not per-packet paths.
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/address.h"
#include "net/five_tuple.h"

namespace pfsim::net {

// "tcp", "udp", "icmp", "icmpv6", "gre", "esp", "sctp", else "protocol N".
std::string protocol_name(std::uint8_t proto);

// The number protocol_name() gives `name` (lowercase), or nullopt for a name not in its table.
std::optional<std::uint8_t> protocol_number(std::string_view name) noexcept;

// "10.0.0.1:443", "[2001:db8::1]:443".
std::string format_endpoint(Family family, const Ip128& address, std::uint16_t port);

// "tcp 10.0.1.5:1024 -> 10.0.2.10:8080", "icmp 192.0.2.1 -> 10.0.1.5 type 3 code 4",
// "gre 10.0.0.1 -> 10.0.0.2".
std::string format_five_tuple(const FiveTuple& t);

// "S" for SYN, "SA" for SYN+ACK, "FPA" for FIN+PSH+ACK; "" for none.
std::string tcp_flag_letters(std::uint16_t flags);

}  // namespace pfsim::net
