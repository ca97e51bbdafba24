// The outline pass of graphml_document.hpp: one loop over the text, an explicit element
// stack, no recursion. It reads only tags and the few attributes it records; Boost's
// reader, which runs next, reads everything else.

#include <fmt/format.h>

#include <set>

#include "topologies/graphml_document.hpp"
#include "topologies/topology.hpp"

namespace topologies {
namespace {

class Scanner {
 public:
  Scanner(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  GraphmlOutline run() {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    while (true) {
      const std::size_t lt = text_.find('<', pos_);
      advance_to(lt == std::string_view::npos ? text_.size() : lt);
      if (pos_ >= text_.size()) break;
      if (starts_with("<!--")) {
        skip_past("-->", "comment");
      } else if (starts_with("<![CDATA[")) {
        skip_past("]]>", "CDATA section");
      } else if (starts_with("<?")) {
        skip_past("?>", "processing instruction");
      } else if (starts_with("<!")) {
        skip_declaration();
      } else if (starts_with("</")) {
        end_tag();
      } else {
        start_tag();
      }
    }
    if (!stack_.empty()) fail(fmt::format("<{}> is never closed", stack_.back()));
    if (!seen_root_) fail("expected a <graphml> document, found no element");
    if (graphs_ == 0) fail("expected a <graph> element inside <graphml>");
    for (const auto& e : outline_.edges) {
      for (const std::string* end : {&e.source, &e.target}) {
        if (!ids_.contains(*end)) {
          line_ = e.line;
          fail(fmt::format("edge {} - {}: unknown node \"{}\" (edges must join declared <node>s)", e.source, e.target,
                           *end));
        }
      }
    }
    return std::move(outline_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw TopologyError(fmt::format("{}:{}: {}", source_, line_, what));
  }
  bool starts_with(std::string_view s) const { return text_.substr(pos_, s.size()) == s; }
  void advance_to(std::size_t end) {
    for (; pos_ < end; ++pos_) line_ += text_[pos_] == '\n';
  }
  void skip_past(std::string_view terminator, const char* what) {
    const std::size_t end = text_.find(terminator, pos_);
    if (end == std::string_view::npos) fail(fmt::format("unterminated {}", what));
    advance_to(end + terminator.size());
  }
  // <!DOCTYPE ...> and friends, with an internal subset in [ ] that may contain '>'.
  void skip_declaration() {
    int brackets = 0;
    char quote = 0;
    for (std::size_t i = pos_ + 2; i < text_.size(); ++i) {
      const char c = text_[i];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[') {
        ++brackets;
      } else if (c == ']') {
        --brackets;
      } else if (c == '>' && brackets <= 0) {
        advance_to(i + 1);
        return;
      }
    }
    fail("unterminated <! declaration");
  }
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  std::string_view name_at(std::size_t from) const {
    std::size_t end = from;
    while (end < text_.size() && !is_space(text_[end]) && text_[end] != '>' && text_[end] != '/') ++end;
    return text_.substr(from, end - from);
  }

  void end_tag() {
    const std::string_view name = name_at(pos_ + 2);
    const std::size_t gt = text_.find('>', pos_);
    if (gt == std::string_view::npos) fail("unterminated end tag");
    if (stack_.empty() || stack_.back() != name) {
      fail(stack_.empty() ? fmt::format("</{}> closes no element", name)
                          : fmt::format("expected </{}>, found </{}>", stack_.back(), name));
    }
    stack_.pop_back();
    advance_to(gt + 1);
  }

  void start_tag() {
    const std::int64_t line = line_;
    const std::string_view name = name_at(pos_ + 1);
    if (name.empty()) fail("expected an element name after '<'");
    std::size_t i = pos_ + 1 + name.size();
    std::map<std::string_view, std::string, std::less<>> attributes;
    bool closed = false;
    while (true) {
      while (i < text_.size() && is_space(text_[i])) ++i;
      if (i >= text_.size()) fail(fmt::format("unterminated <{}> tag", name));
      if (text_[i] == '>') break;
      if (text_.substr(i, 2) == "/>") {
        closed = true;
        ++i;
        break;
      }
      const std::size_t eq = text_.find('=', i);
      if (eq == std::string_view::npos) fail(fmt::format("<{}>: expected attribute=\"value\"", name));
      std::size_t end = eq;
      while (end > i && is_space(text_[end - 1])) --end;
      const std::string_view attribute = text_.substr(i, end - i);
      std::size_t q = eq + 1;
      while (q < text_.size() && is_space(text_[q])) ++q;
      if (q >= text_.size() || (text_[q] != '"' && text_[q] != '\'')) {
        fail(fmt::format("<{}>: expected a quoted value for {}", name, attribute));
      }
      const std::size_t close = text_.find(text_[q], q + 1);
      if (close == std::string_view::npos) fail(fmt::format("<{}>: unterminated value of {}", name, attribute));
      attributes[attribute] = decode(text_.substr(q + 1, close - q - 1));
      i = close + 1;
    }
    advance_to(i + 1);
    record(name, attributes, line);
    if (!closed) {
      stack_.push_back(name);
      if (static_cast<int>(stack_.size()) > kMaxGraphmlDepth) {
        fail(fmt::format("elements nested more than {} deep (a GraphML topology needs about 5)", kMaxGraphmlDepth));
      }
    }
  }

  std::string attribute_or_fail(const std::map<std::string_view, std::string, std::less<>>& attributes,
                                std::string_view element, std::string_view key) const {
    const auto it = attributes.find(key);
    if (it == attributes.end()) fail(fmt::format("<{}> needs a {} attribute", element, key));
    return it->second;
  }

  // Keeps what Boost's reader will not report: the first graph's nodes and edges.
  void record(std::string_view name, const std::map<std::string_view, std::string, std::less<>>& attributes,
              std::int64_t line) {
    const std::size_t depth = stack_.size();  // of the new element's parent
    if (depth == 0) {
      if (seen_root_) fail("a second top-level element");
      if (name != "graphml") fail(fmt::format("expected a <graphml> document, found <{}>", name));
      seen_root_ = true;
      return;
    }
    const bool in_first_graph = depth == 2 && stack_[1] == "graph" && graphs_ == 1;
    if (depth == 1 && name == "graph") {
      if (++graphs_ > 1) return;  // Boost reads the first graph only
      const auto it = attributes.find("edgedefault");
      if (it == attributes.end() || (it->second != "directed" && it->second != "undirected")) {
        fail("<graph> needs edgedefault=\"undirected\" or \"directed\"");
      }
      outline_.directed = it->second == "directed";
    } else if (in_first_graph && name == "graph") {
      fail("nested graphs are not supported");
    } else if (in_first_graph && name == "node") {
      std::string id = attribute_or_fail(attributes, name, "id");
      if (!ids_.insert(id).second) fail(fmt::format("duplicate node id \"{}\"", id));
      outline_.nodes.push_back({std::move(id), line});
    } else if (in_first_graph && name == "edge") {
      outline_.edges.push_back(
          {attribute_or_fail(attributes, name, "source"), attribute_or_fail(attributes, name, "target"), line});
    }
  }

  // Attribute values with XML's character references replaced, as Boost's parser does.
  static std::string decode(std::string_view raw) {
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        out += raw[i];
        continue;
      }
      const std::size_t semi = raw.find(';', i);
      const std::string_view ref =
          semi == std::string_view::npos ? std::string_view{} : raw.substr(i + 1, semi - i - 1);
      static const std::pair<std::string_view, char> kNamed[] = {
          {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
      bool done = false;
      for (auto [entity, c] : kNamed) {
        if (ref == entity) {
          out += c;
          done = true;
        }
      }
      if (!done && ref.size() > 1 && ref[0] == '#') {
        const bool hex = ref[1] == 'x';
        try {
          append_utf8(out, std::stoul(std::string(ref.substr(hex ? 2 : 1)), nullptr, hex ? 16 : 10));
          done = true;
        } catch (const std::exception&) {
        }
      }
      if (done) {
        i = semi;
      } else {
        out += '&';
      }
    }
    return out;
  }
  static void append_utf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 1;
  std::vector<std::string_view> stack_;
  bool seen_root_ = false;
  int graphs_ = 0;
  std::set<std::string, std::less<>> ids_;
  GraphmlOutline outline_;
};

}  // namespace

GraphmlOutline outline_graphml(std::string_view text, const std::string& source) { return Scanner(text, source).run(); }

}  // namespace topologies
