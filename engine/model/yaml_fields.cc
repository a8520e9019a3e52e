#include "engine/model/internal/yaml_fields.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <charconv>
#include <sstream>
#include <system_error>
#include <utility>

namespace pfsim::engine::yaml {
namespace {

// 1-based from yaml-cpp's 0-based mark; 0 when it has none (-1).
std::uint32_t one_based(int mark) { return mark < 0 ? 0u : static_cast<std::uint32_t>(mark) + 1; }

// The 1-based line of the end of `text`, for a YAML error without a position.
std::uint32_t last_line(std::string_view text) {
  return static_cast<std::uint32_t>(std::count(text.begin(), text.end(), '\n') + 1);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The 1-based line and column of byte `pos` of `text` (a column counts bytes).
std::pair<std::uint32_t, std::uint32_t> line_and_column(std::string_view text, std::size_t pos) {
  const std::string_view before = text.substr(0, pos);
  const std::size_t line_start = before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
  return {static_cast<std::uint32_t>(std::count(before.begin(), before.end(), '\n') + 1),
          static_cast<std::uint32_t>(pos - line_start + 1)};
}

// The offset of the opening bracket ('[' or '{') of the deepest flow nesting of `text`, or npos
// without one. Brackets in quoted scalars and in comments do not count; this is a pointer for a
// message, not a YAML scanner.
std::size_t deepest_flow_bracket(std::string_view text) {
  std::size_t deepest = std::string_view::npos;
  std::size_t depth = 0;
  std::size_t max_depth = 0;
  char quote = 0;  // the open quote, or 0
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == '\\' && quote == '"') {
        ++i;  // an escaped character in a double-quoted scalar
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        max_depth = depth;
        deepest = i;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string shown(std::string_view s) {
  constexpr std::size_t kMax = 80;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > kMax) out += "...";
  return out;
}

std::string join(const std::vector<std::string>& names, std::size_t max_names) {
  constexpr std::string_view separator = ", ";
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < max_names; ++i) {
    if (i != 0) out += separator;
    out += shown(names[i]);
  }
  if (names.size() > max_names) out += std::string(separator) + "...";
  return out.empty() ? std::string("none") : out;
}

const char* node_kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a value";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "nothing";
}

std::optional<YAML::Node> value_of(const YAML::Node& map, std::string_view key) {
  for (YAML::const_iterator it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return YAML::Node(it->second);
  }
  return std::nullopt;
}

const Field* Fields::get(std::string_view key) const {
  for (const Field& f : list) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

void FieldReader::set_dialect(std::string word, std::vector<std::string> names, std::size_t current) {
  dialect_word_ = std::move(word);
  dialect_names_ = std::move(names);
  dialect_ = current;
  dialect_bit_ = Dialects{1} << current;
}

Location FieldReader::at(const YAML::Node& n) const {
  const YAML::Mark m = n.Mark();
  return Location{file_, one_based(m.line), one_based(m.column)};
}

void FieldReader::fail(const YAML::Node& n, std::string message) const {
  throw ReadFailure{error_at(at(n), std::move(message))};
}

void FieldReader::fail_at(std::uint32_t line, std::uint32_t column, std::string message) const {
  throw ReadFailure{net::text_error(file_, line, column, std::move(message))};
}

std::string FieldReader::dialects_phrase(Dialects mask) const {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < dialect_names_.size(); ++i) {
    if (mask & (Dialects{1} << i)) names.push_back(dialect_names_[i]);
  }
  const bool vowel = !names.empty() && std::string_view("aeiou").find(names[0][0]) != std::string_view::npos;
  std::string out = vowel ? "an " : "a ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i != 0) out += " or ";
    out += names[i];
  }
  return out;
}

Fields FieldReader::check_keys(const YAML::Node& n, std::string_view what, const std::vector<KeySpec>& keys) const {
  if (!n.IsMap()) fail(n, "expected a map for " + std::string(what) + ", got " + node_kind(n));
  Fields fields(n);
  for (YAML::const_iterator it = n.begin(); it != n.end(); ++it) {
    const YAML::Node key_node = it->first;
    if (!key_node.IsScalar())
      fail(key_node, "expected a key (a word) in " + std::string(what) + ", got " + node_kind(key_node));
    const std::string key = key_node.Scalar();
    if (fields.has(key)) fail(key_node, "duplicate key '" + shown(key) + "' in " + std::string(what));
    const auto spec = std::find_if(keys.begin(), keys.end(), [&](const KeySpec& k) { return k.name == key; });
    if (spec == keys.end() || (spec->dialects & dialect_bit_) == 0) {
      if (spec != keys.end() && !spec->refusal.empty()) fail(key_node, spec->refusal);
      if (spec != keys.end() && spec->dialects != 0)
        fail(key_node, "'" + key + "' is " + dialects_phrase(spec->dialects) + " key (" + dialect_word_ + " is " +
                           dialect_names_[dialect_] + ")");
      std::vector<std::string> allowed;
      for (const KeySpec& k : keys) {
        if (k.dialects & dialect_bit_) allowed.push_back(k.name);
      }
      fail(key_node, "unknown key '" + shown(key) + "' in " + std::string(what) +
                         " (allowed: " + join(allowed, allowed.size()) + ")");
    }
    fields.list.push_back(Field{key, key_node, it->second});
  }
  return fields;
}

const Field& FieldReader::require(const Fields& fields, std::string_view key, std::string_view what) const {
  const Field* f = fields.get(key);
  if (f == nullptr) fail(fields.node, "missing '" + std::string(key) + "' in " + std::string(what));
  return *f;
}

std::vector<YAML::Node> FieldReader::items(const YAML::Node& n, std::string_view what) const {
  std::vector<YAML::Node> out;
  if (n.IsNull()) return out;
  if (!n.IsSequence()) fail(n, "expected a list for " + std::string(what) + ", got " + node_kind(n));
  for (YAML::const_iterator it = n.begin(); it != n.end(); ++it) out.push_back(*it);
  return out;
}

std::vector<YAML::Node> FieldReader::one_or_list(const YAML::Node& n, std::string_view what) const {
  if (n.IsSequence()) return items(n, what);
  if (!n.IsScalar()) fail(n, "expected a value or a list for " + std::string(what) + ", got " + node_kind(n));
  return {n};
}

std::string FieldReader::scalar(const YAML::Node& n, std::string_view what) const {
  if (!n.IsScalar()) fail(n, "expected a value for " + std::string(what) + ", got " + node_kind(n));
  return n.Scalar();
}

std::string FieldReader::id_of(const YAML::Node& n, std::string_view what) const {
  std::string id = scalar(n, what);
  if (id.empty()) fail(n, "empty " + std::string(what));
  return id;
}

std::uint64_t FieldReader::number(const YAML::Node& n, std::string_view what, std::uint64_t lo,
                                  std::uint64_t hi) const {
  const std::string text = scalar(n, what);
  const std::string range = "(allowed: " + std::to_string(lo) + "-" + std::to_string(hi) + ")";
  std::string_view digits = text;
  const bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.remove_prefix(1);
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), is_digit))
    fail(n, "expected a number for " + std::string(what) + " " + range + ", got '" + shown(text) + "'");
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (negative || ec != std::errc() || end != digits.data() + digits.size() || value < lo || value > hi)
    fail(n, std::string(what) + " " + shown(text) + " is out of range " + range);
  return value;
}

std::uint32_t FieldReader::number32(const YAML::Node& n, std::string_view what, std::uint32_t lo,
                                    std::uint32_t hi) const {
  return static_cast<std::uint32_t>(number(n, what, lo, hi));
}

std::uint16_t FieldReader::port(const YAML::Node& n, std::string_view what, std::uint16_t lo) const {
  return static_cast<std::uint16_t>(number(n, what, lo, 65535));
}

bool FieldReader::boolean(const YAML::Node& n, std::string_view what) const {
  const std::string text = lower(scalar(n, what));
  if (text == "true") return true;
  if (text == "false") return false;
  fail(n, "expected true or false for " + std::string(what) + ", got '" + shown(scalar(n, what)) + "'");
}

std::size_t FieldReader::choice_index(const YAML::Node& n, std::string_view what,
                                      const std::vector<std::string_view>& names, LetterCase letter_case) const {
  const std::string text = scalar(n, what);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (letter_case == LetterCase::kIgnored ? lower(text) == lower(names[i]) : text == names[i]) return i;
  }
  const std::vector<std::string> allowed(names.begin(), names.end());
  fail(n, "unknown " + std::string(what) + " '" + shown(text) + "' (allowed: " + join(allowed, allowed.size()) + ")");
}

net::IpAddress FieldReader::address(const YAML::Node& n, std::string_view what) const {
  auto a = net::parse_address(scalar(n, what));
  if (!a) fail(n, std::string(what) + ": " + a.error().message);
  return *a;
}

net::IpAddress FieldReader::address_of_family(const YAML::Node& n, std::string_view what, net::Family family) const {
  const net::IpAddress a = address(n, what);
  if (a.family != family) {
    fail(n, std::string(what) + " " + net::format_address(a.family, a.bits) + " is not an " +
                (family == net::Family::kIpv4 ? "IPv4 address (use 'ipv6' for IPv6)" : "IPv6 address"));
  }
  return a;
}

net::IpRange FieldReader::cidr(const YAML::Node& n, std::string_view what) const {
  auto r = net::parse_prefix(scalar(n, what));
  if (!r) fail(n, std::string(what) + ": " + r.error().message);
  return *r;
}

std::vector<net::IpRange> FieldReader::cidr_list(const YAML::Node& n, std::string_view what) const {
  std::vector<net::IpRange> out;
  for (const YAML::Node& item : one_or_list(n, what)) out.push_back(cidr(item, what));
  return out;
}

namespace {

// Where a document starts (its first token) and where its root node is; builds nothing.
class DocumentMarks : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override { node(mark); }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnMapEnd() override {}

  YAML::Mark start = YAML::Mark::null_mark();
  YAML::Mark root = YAML::Mark::null_mark();

 private:
  void node(const YAML::Mark& mark) {
    if (!seen_root_) root = mark;
    seen_root_ = true;
  }
  bool seen_root_ = false;
};

}  // namespace

YAML::Node load_document(std::string_view text, const std::string& file, std::string_view what) {
  // yaml-cpp 0.7 misreads a NUL byte ("name: a<NUL>" gave "unknown escape character: \x04" at a
  // column past the line); YAML's character set excludes NUL (YAML 1.2.2, 5.1 "Character Set":
  // c-printable has no #x0), so it is refused here, where it is.
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    const auto [line, column] = line_and_column(text, nul);
    throw ReadFailure{
        net::text_error(file, line, column, "invalid YAML: a NUL byte (\\x00); YAML text cannot contain one")};
  }
  // The documents are counted here, not with YAML::LoadAll: yaml-cpp 0.7 (Debian 12) loops for
  // ever in LoadAll, adding a null document per turn until memory runs out, when a document would
  // start at a token no node starts with ("," outside brackets): the parser reads nothing and
  // says there is another document (jbeder/yaml-cpp issue 1040, fixed upstream by pull request
  // 1319, after 0.7). Two documents at most are parsed, and a parser that did not move is an error
  // at that token (tests/corpus/scenario_yaml/yaml-*-loadall-endless-loop.yaml).
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  DocumentMarks first;
  DocumentMarks second;
  if (!parser.HandleNextDocument(first)) return YAML::Node();
  if (parser.HandleNextDocument(second)) {
    const bool stuck = second.start.pos == first.start.pos;
    const YAML::Mark m = stuck ? second.start : second.root;
    const std::uint32_t line = m.line < 0 ? last_line(text) : one_based(m.line);
    if (stuck) {
      const std::size_t at = static_cast<std::size_t>(std::max(m.pos, 0));
      throw ReadFailure{net::text_error(
          file, line, one_based(m.column),
          "invalid YAML: unexpected " + (at < text.size() ? "'" + shown(text.substr(at, 1)) + "'" : "end of file"))};
    }
    throw ReadFailure{net::text_error(file, line, one_based(m.column),
                                      "a " + std::string(what) + " file holds one YAML document (found a second one)")};
  }
  return YAML::Load(std::string(text));
}

net::Error yaml_error(std::string_view text, const std::string& file, const YAML::Exception& e) {
  // Too-deep nesting: yaml-cpp 0.7 throws DeepRecursion (yaml-cpp/depthguard.h, a class it does
  // not export, so told by its message) with ErrorMsg::BAD_FILE, "bad file", as its text, and in a
  // flow collection at a mark past the collection (its scanner reads the collection ahead). The
  // message names the problem and, for a mark past the text, points at the deepest flow bracket.
  if (e.msg == YAML::ErrorMsg::BAD_FILE) {
    const std::string message = "invalid YAML: lists or maps nested too deeply (a document needs a few levels)";
    const std::size_t bracket = deepest_flow_bracket(text);
    if ((e.mark.pos < 0 || static_cast<std::size_t>(e.mark.pos) >= text.size()) && bracket != std::string_view::npos) {
      const auto [line, column] = line_and_column(text, bracket);
      return net::text_error(file, line, column, message);
    }
    return net::text_error(file, e.mark.line < 0 ? last_line(text) : one_based(e.mark.line), one_based(e.mark.column),
                           message);
  }
  // Syntax errors (ParserException) and the rest carry a mark.
  const std::uint32_t line = e.mark.line < 0 ? last_line(text) : one_based(e.mark.line);
  return net::text_error(file, line, one_based(e.mark.column), "invalid YAML: " + shown(e.msg));
}

}  // namespace pfsim::engine::yaml
