// build_classifier(): validation and the name → algorithm table.
#include <array>

#include "classifier/classifier.h"
#include "classifier/cut_tree.h"
#include "classifier/linear.h"

namespace pfsim::classifier {
namespace {

constexpr std::array<std::string_view, 3> kNames = {"auto", "linear", "cuttree"};

}  // namespace

std::span<const std::string_view> algorithm_names() noexcept { return kNames; }

net::Result<std::unique_ptr<const Classifier>> build_classifier(const RuleSet& rules, std::string_view algorithm) {
  if (auto status = validate(rules); !status) return std::move(status).error();
  if (algorithm == "auto") algorithm = rules.rules.size() <= kLinearAutoMaxRules ? "linear" : "cuttree";
  if (algorithm == "linear") return std::unique_ptr<const Classifier>(std::make_unique<LinearClassifier>(rules));
  if (algorithm == "cuttree") return std::unique_ptr<const Classifier>(std::make_unique<CutTreeClassifier>(rules));
  std::string known;
  for (std::string_view n : kNames) known += (known.empty() ? "" : ", ") + std::string(n);
  return net::error_message("unknown algorithm '" + std::string(algorithm) + "' (known: " + known + ")");
}

}  // namespace pfsim::classifier
