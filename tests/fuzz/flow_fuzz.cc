// fuzz_flow: the input as the text of `pfsim explain --flow` (engine/analysis/explain.h). The
// contract: an error names a column of the text; a flow read is written back by
// net::format_five_tuple in the same syntax and reads back the same; explain_flow runs on it
// through a bundled scenario with a load balancer on both IP versions, so that flows aimed at
// its listeners (the seeds) walk the load balancer's path as well as the direct one.
#include <string>
#include <string_view>

#include "engine/analysis/explain.h"
#include "engine/model/scenario_loader.h"
#include "engine/policy/policy.h"
#include "net/format.h"
#include "tests/fuzz/fuzz_targets.h"

namespace pfsim::fuzz {
namespace {

struct Bundled {
  engine::Scenario scenario;
  engine::PolicySet policies;
};

const Bundled& bundled() {
  static const Bundled b = [] {
    auto s = engine::load_scenario(PFSIM_SCENARIOS_DIR "/aws-alb-internet-facing/recommended.yaml");
    if (!s) contract_broken("flow", "the bundled scenario: " + s.error().to_string());
    auto p = engine::compile_policies(*s);
    if (!p) contract_broken("flow", "the bundled scenario's policies: " + p.error().to_string());
    return Bundled{std::move(*s), std::move(*p)};
  }();
  return b;
}

}  // namespace

void fuzz_flow(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto flow = engine::parse_flow(text);
  if (!flow) {
    const std::string& m = flow.error().message;
    const std::size_t at = m.rfind("\", column ");
    if (!m.starts_with("flow \"") || at == std::string::npos) contract_broken("flow", "no column in: " + m);
    if (std::stoul(m.substr(at + 10)) > text.size() + 1) contract_broken("flow", "column past the text: " + m);
    return;
  }
  const std::string written = net::format_five_tuple(flow->tuple);
  auto again = engine::parse_flow(written);
  if (!again) contract_broken("flow", "'" + written + "' does not read back: " + again.error().message);
  if (!(again->tuple == flow->tuple)) contract_broken("flow", "'" + written + "' reads back different");
  const Bundled& b = bundled();
  auto explanation = engine::explain_flow(b.scenario, b.policies, *flow);
  if (explanation && explanation->steps.empty()) contract_broken("flow", "an explanation without steps");
}

}  // namespace pfsim::fuzz
