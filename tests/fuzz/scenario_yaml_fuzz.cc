// fuzz_scenario_yaml: the input as a scenario file (engine/model/scenario_loader.h). The loader's
// contract: no input makes it crash or throw, every error is located in the file ("fuzz.yaml:
// line:column"). A scenario it accepts is valid for the stages after it: its policies compile
// with none and with all of its events applied, and `pfsim check` runs on it — except where
// compiling finds what only the events in order can show (an event revoking a rule its group
// does not have at that time: RevokeSecurityGroupIngress's InvalidPermission.NotFound), which is
// an error located in the file like the loader's; an unlocated one is a lowering bug.
#include <string>
#include <string_view>

#include "engine/analysis/check.h"
#include "engine/model/scenario_loader.h"
#include "engine/policy/policy.h"
#include "tests/fuzz/fuzz_targets.h"

namespace pfsim::fuzz {

void fuzz_scenario_yaml(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto scenario = engine::parse_scenario(text, "fuzz.yaml");
    if (!scenario) {
      const net::Error& e = scenario.error();
      if (e.file != "fuzz.yaml" || e.line == 0) contract_broken("scenario_yaml", "unlocated error: " + e.to_string());
      return;
    }
    const auto located = [](const net::Error& e) { return e.file == "fuzz.yaml" && e.line != 0; };
    for (std::size_t events : {std::size_t{0}, scenario->events.size()}) {
      auto policies = engine::compile_policies(*scenario, {}, events);
      if (!policies && !located(policies.error()))
        contract_broken("scenario_yaml", "a loaded scenario does not compile: " + policies.error().to_string());
      if (!policies) return;
    }
    auto report = engine::run_check(*scenario);
    if (!report && !located(report.error()))
      contract_broken("scenario_yaml", "check fails on a loaded scenario: " + report.error().to_string());
  } catch (const std::exception& e) {
    contract_broken("scenario_yaml", std::string("threw ") + e.what());
  }
}

}  // namespace pfsim::fuzz
