#include "topologies/graphml_document.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/graphml.hpp>
#include <charconv>
#include <cmath>
#include <iterator>
#include <sstream>

#include "sim/input_file.hpp"
#include "topologies/topology.hpp"

namespace topologies {
namespace {

std::string expected_list(const std::vector<std::string_view>& names) {
  if (names.empty()) return "none";
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += i == 0 ? "" : (i + 1 == names.size() ? " or " : ", ");
    out += names[i];
  }
  return out;
}

// Boost's reader hands vertices, edges and attribute values (as text, by attribute name)
// to this graph, which keeps them for the document. Vertices arrive in document order,
// which the outline has checked matches its node list.
class Collector : public boost::mutate_graph {
 public:
  Collector(GraphmlDocument& doc, const GraphmlOutline& outline, const std::vector<std::string_view>& node_attributes,
            const std::vector<std::string_view>& edge_attributes)
      : doc_(doc), outline_(outline), node_attributes_(node_attributes), edge_attributes_(edge_attributes) {}

  bool is_directed() const override { return outline_.directed; }

  boost::any do_add_vertex() override {
    const std::size_t v = doc_.nodes.size();
    if (v >= outline_.nodes.size()) throw TopologyError(doc_.source + ": an edge names a node that was never declared");
    doc_.nodes.push_back({outline_.nodes[v].id, outline_.nodes[v].line, {}});
    return v;
  }

  std::pair<boost::any, bool> do_add_edge(boost::any source, boost::any target) override {
    const std::size_t e = doc_.edges.size();
    GraphmlDocument::Edge edge;
    edge.a = static_cast<std::uint32_t>(boost::any_cast<std::size_t>(source));
    edge.b = static_cast<std::uint32_t>(boost::any_cast<std::size_t>(target));
    edge.id = doc_.nodes[edge.a].id + " - " + doc_.nodes[edge.b].id;
    edge.line = e < outline_.edges.size() ? outline_.edges[e].line : 0;
    doc_.edges.push_back(std::move(edge));
    return {e, true};
  }

  void set_graph_property(const std::string& name, const std::string&, const std::string&) override {
    throw TopologyError(fmt::format("{}: unknown graph attribute \"{}\" (a topology has none)", doc_.source, name));
  }

  void set_vertex_property(const std::string& name, boost::any vertex, const std::string& value,
                           const std::string&) override {
    set(doc_.nodes[boost::any_cast<std::size_t>(vertex)], false, name, value, node_attributes_);
  }

  void set_edge_property(const std::string& name, boost::any edge, const std::string& value,
                         const std::string&) override {
    set(doc_.edges[boost::any_cast<std::size_t>(edge)], true, name, value, edge_attributes_);
  }

 private:
  void set(GraphmlElement& element, bool is_edge, const std::string& name, const std::string& value,
           const std::vector<std::string_view>& known) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      throw TopologyError(fmt::format("{}: unknown attribute \"{}\" (expected {})", doc_.where(element, is_edge), name,
                                      expected_list(known)));
    }
    element.values[name] = value;
  }

  GraphmlDocument& doc_;
  const GraphmlOutline& outline_;
  const std::vector<std::string_view>& node_attributes_;
  const std::vector<std::string_view>& edge_attributes_;
};

}  // namespace

std::string GraphmlDocument::where(const GraphmlElement& element, bool is_edge) const {
  const std::string place = element.line > 0 ? fmt::format("{}:{}", source, element.line) : source;
  return is_edge ? fmt::format("{}: edge {}", place, element.id) : fmt::format("{}: node \"{}\"", place, element.id);
}

std::optional<double> GraphmlDocument::number(const GraphmlElement& element, bool is_edge,
                                              std::string_view name) const {
  const auto it = element.values.find(name);
  if (it == element.values.end()) return std::nullopt;
  const std::string& text = it->second;
  // Surrounding blanks are tolerated; Boost's reader trims most of them already.
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  double value = 0.0;
  if (first != std::string::npos) {
    const char* begin = text.data() + first;
    const char* end = text.data() + last + 1;
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec == std::errc() && ptr == end && std::isfinite(value)) return value;
  }
  throw TopologyError(fmt::format("{}: {} must be a number, got \"{}\"", where(element, is_edge), name, text));
}

std::string read_graphml_file(const std::filesystem::path& path) {
  try {
    return sim::read_input_file(path, kMaxGraphmlBytes, "GraphML file");
  } catch (const sim::InputFileError& e) {
    throw TopologyError(e.what());
  }
}

GraphmlDocument read_graphml_document(std::istream& in, const std::string& source,
                                      const std::vector<std::string_view>& node_attributes,
                                      const std::vector<std::string_view>& edge_attributes) {
  const std::string text(std::istreambuf_iterator<char>(in), {});
  const GraphmlOutline outline = outline_graphml(text, source);
  GraphmlDocument doc;
  doc.source = source;
  Collector collector(doc, outline, node_attributes, edge_attributes);
  std::istringstream body(text);
  try {
    boost::read_graphml(body, collector, 0);
  } catch (const TopologyError&) {
    throw;
  } catch (const std::exception& e) {
    throw TopologyError(source + ": not a readable GraphML graph: " + e.what());
  }
  if (doc.nodes.size() != outline.nodes.size() || doc.edges.size() != outline.edges.size()) {
    throw TopologyError(source +
                        ": Boost's GraphML reader saw a different graph than the outline; "
                        "is a <node> or <edge> outside the first <graph>?");
  }
  return doc;
}

}  // namespace topologies
