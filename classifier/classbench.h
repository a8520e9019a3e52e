// classifier/classbench.h — ClassBench rule sets and traces, read from and written to text.
//
// Format (shared/classbench/README.md; Taylor & Turner, "ClassBench", INFOCOM 2005):
//
//   rules, one per line, earlier line = higher priority:
//     @<src ip>/<len> <dst ip>/<len> <sport lo> : <sport hi> <dport lo> : <dport hi> <proto>/<mask> [<flags>/<mask>]
//   traces, one packet header per line:
//     <src ip> <dst ip> <sport> <dport> <proto> [<flags> [<rule index>]]
//
// Fields are separated by tabs or spaces. Protocol value and mask are hex: mask 0xFF means
// exact, 0x00 any; other masks are rejected (rules here match a protocol exactly or not at
// all). The flags column is checked for form and otherwise ignored. In traces the addresses
// are unsigned 32-bit decimals; the optional last column is the rule the generator aimed at,
// which is not always the best match, so it is kept but never used as the answer.
//
// pfsim's extension (ClassBench has no IPv6 and no arbitrary ranges), chosen so that every
// original file still reads the same and the extension is unambiguous with whitespace
// separated tokens:
//   - a rule address may be an IPv6 prefix in RFC 4291 text ("@2001:db8::/32");
//   - a rule address may be an explicit inclusive range "LO-HI" of one family
//     ("@10.0.0.3-10.0.0.9", "2001:db8::1-2001:db8::ff");
//   - a trace address may be written as IPv4 dotted text or IPv6 text instead of a decimal;
//   - both addresses of a line must be the same family.
// Lines that are empty or start with '#' are skipped (comments).
//
// Reading a rule file gives rule i (0-based, blank and comment lines not counted) priority i,
// action allow, and id = its 1-based line number, so a match leads back to the file line.
// The default action of the set is deny.
//
// Errors are located: "acl1_1000:14:23: error: port range 443 : 80 is empty". Reading stops at
// the first bad line. The functions are pure (no file I/O) and thread-safe.
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
// no priority column. IPv4 blocks are written as in the original format; IPv6 and non-block
// ranges use the extension above. Precondition: validate(rules) succeeded.
std::string format_classbench_rules(const RuleSet& rules);

// Writes one trace line per packet: IPv4 addresses as decimals (original format), IPv6 as
// text, flags 0. `generator_rules` is either empty (lines end after the flags column) or holds
// one entry per packet, written as the last column; kNoMatch is written as -1, which the
// reader reads back as kNoMatch.
std::string format_classbench_trace(std::span<const FiveTuple> packets, std::span<const RuleIndex> generator_rules);

}  // namespace pfsim::classifier
