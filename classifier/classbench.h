// classifier/classbench.h — ClassBench rule sets and traces, read from and written to text.
//
// Format (shared/classbench/README.md; Taylor & Turner, "ClassBench", INFOCOM 2005):
//
//   rules, one per line, earlier line = higher priority:
//     @<src ip>/<len> <dst ip>/<len> <sport lo> : <sport hi> <dport lo> : <dport hi> <proto>/<mask> [<flags>/<mask>]
//   traces, one packet header per line:
//     <src ip> <dst ip> <sport> <dport> <proto> [<flags> [<rule index>]]
//
// Fields are separated by tabs or spaces; the blanks around a port range's ':' are optional.
// Protocol value and mask are hex: mask 0xFF means exact, 0x00 any (whatever the value);
// other masks are rejected (rules here match a protocol exactly or not at all). The rule
// flags column (hex value/mask, at most 0xFFFF) is checked for form and otherwise ignored.
// Rule ports are kept as written, also for ICMP rules (ClassBench writes "0 : 65535" there).
// In traces the addresses are unsigned 32-bit decimals, ports and protocol decimals, flags a
// u32 decimal (checked, ignored); the optional last column is the rule the generator aimed
// at, which is not always the best match, so it is kept but never used as the answer.
//
// pfsim's extension (ClassBench has no IPv6 and no arbitrary ranges), chosen so that every
// original file still reads the same and the extension is unambiguous with whitespace
// separated tokens:
//   - a rule address may be an IPv6 prefix in RFC 4291 text ("@2001:db8::/32");
//   - a rule address may be an explicit inclusive range "LO-HI" of one family
//     ("@10.0.0.3-10.0.0.9", "2001:db8::1-2001:db8::ff");
//   - a trace address may be written as IPv4 dotted text or IPv6 text instead of a decimal;
//   - both addresses of a line must be the same family.
// Lines that are empty, blank or start with '#' are skipped (comments). LF and CRLF line ends
// are both read; the last line needs no line end.
//
// Reading a rule file gives rule i (0-based, blank and comment lines not counted) priority i,
// action allow, and id = its 1-based line number, so a match leads back to the file line.
// The default action of the set is deny.
//
// Errors are located at the offending token (column = its 1-based byte position; for a
// missing field, just past the end of the line): "acl1_1000:14:23: error: source port range
// 443 : 80 is empty". Prefixes with host bits set are rejected with net::parse_prefix's
// message, which names the block meant (generators never write them, so one is a typo).
// Reading stops at the first bad line. The functions are pure (no file I/O) and thread-safe;
// reading is linear in the text (acl1_100000 or its 9 MB trace: about 50 ms of CPU each).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "classifier/rule.h"
#include "net/error.h"

namespace pfsim::classifier {

struct ClassbenchTrace {
  std::vector<FiveTuple> packets;
  // The generator's target rule per packet (last column), or kNoMatch where the line has none.
  std::vector<RuleIndex> generator_rules;
};

// Parses a rule file's text; `file_name` is only used in error messages.
net::Result<RuleSet> parse_classbench_rules(std::string_view text, std::string_view file_name);

// Parses a trace file's text; `file_name` is only used in error messages.
net::Result<ClassbenchTrace> parse_classbench_trace(std::string_view text, std::string_view file_name);

// Writes rules in ClassBench form, in priority order (ties by index) since ClassBench has
// no priority column, one line each as the generator lays it out:
//   "@10.0.0.0/8<TAB>192.168.1.0/24<TAB>0 : 65535<TAB>443 : 443<TAB>0x06/0xFF<TAB>0x0000/0x0000<TAB>"
// IPv4 blocks are written as in the original format; IPv6 and non-block ranges use the
// extension above. ClassBench has no action, priority or id column, so reading the text back
// gives the same match fields in the written order, with the reader's priority, id and allow.
// Precondition: validate(rules) succeeded.
std::string format_classbench_rules(const RuleSet& rules);

// Writes one trace line per packet: IPv4 addresses as decimals (original format), IPv6 as
// text, flags 0. `generator_rules` is either empty (lines end after the flags column) or holds
// one entry per packet, written as the last column; kNoMatch is written as -1, which the
// reader reads back as kNoMatch.
std::string format_classbench_trace(std::span<const FiveTuple> packets, std::span<const RuleIndex> generator_rules);

}  // namespace pfsim::classifier
