// fuzz_classbench: the input read as a ClassBench rule file and as a trace file
// (classifier/classbench.h). The contract: an error is located in the file (line, and a column
// within the line or just past its end); rules read are valid (classifier::validate), and both
// rules and traces survive writing and reading back (the same match fields in the same order;
// the same packets and generator rules).
#include <string>
#include <string_view>

#include "classifier/classbench.h"
#include "tests/fuzz/fuzz_targets.h"

namespace pfsim::fuzz {
namespace {

void check_located(const net::Error& e, std::string_view text) {
  if (e.file != "fuzz" || e.line == 0) contract_broken("classbench", "unlocated error: " + e.to_string());
  if (e.column > text.size() + 1) contract_broken("classbench", "column past the text: " + e.to_string());
}

}  // namespace

void fuzz_classbench(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto rules = classifier::parse_classbench_rules(text, "fuzz");
  if (!rules) {
    check_located(rules.error(), text);
  } else {
    if (auto valid = classifier::validate(*rules); !valid)
      contract_broken("classbench", "rules read are invalid: " + valid.error().to_string());
    const std::string written = classifier::format_classbench_rules(*rules);
    auto again = classifier::parse_classbench_rules(written, "written");
    if (!again) contract_broken("classbench", "written rules do not read back: " + again.error().to_string());
    if (again->rules.size() != rules->rules.size()) contract_broken("classbench", "written rules read back fewer");
    for (std::size_t i = 0; i < rules->rules.size(); ++i) {
      classifier::Rule expected = rules->rules[i];
      expected.priority = again->rules[i].priority;  // the reader's own: line order
      expected.id = again->rules[i].id;
      if (!(again->rules[i] == expected))
        contract_broken("classbench", "rule " + std::to_string(i) + " reads back as " +
                                          classifier::describe(again->rules[i]) + ", not " +
                                          classifier::describe(expected));
    }
  }

  auto trace = classifier::parse_classbench_trace(text, "fuzz");
  if (!trace) {
    check_located(trace.error(), text);
  } else {
    const std::string written = classifier::format_classbench_trace(trace->packets, trace->generator_rules);
    auto again = classifier::parse_classbench_trace(written, "written");
    if (!again) contract_broken("classbench", "a written trace does not read back: " + again.error().to_string());
    if (again->packets != trace->packets || again->generator_rules != trace->generator_rules)
      contract_broken("classbench", "a written trace reads back different");
  }
}

}  // namespace pfsim::fuzz
