#pragma once
// GraphML documents as the topology loaders see them: every node and edge of the first
// graph with its line, id and attribute values (as text, by attribute name, defaults
// applied), read by Boost.Graph's GraphML reader.
//
// Boost's reader builds a property tree recursively, so a document nested thousands of
// levels deep would exhaust the stack; and it does not hand back node ids or lines.
// outline_graphml() is a linear, non-recursive pass over the text that runs first: it
// refuses nesting deeper than kMaxGraphmlDepth and documents whose structure Boost
// would misread (no <graphml> root, nested graphs, nodes without ids, edges to nodes
// that were never declared, duplicate ids), and records ids and lines.

#include <cstdint>
#include <filesystem>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace topologies {

// GraphML needs five levels (graphml, graph, node, data and a value); drawing tools
// add a few more inside <data>.
constexpr int kMaxGraphmlDepth = 64;

struct GraphmlOutline {
  struct Node {
    std::string id;
    std::int64_t line = 0;
  };
  struct Edge {
    std::string source;
    std::string target;
    std::int64_t line = 0;
  };
  std::vector<Node> nodes;  // of the first graph, in document order
  std::vector<Edge> edges;
  bool directed = false;  // the graph's edgedefault
};

// Throws TopologyError "<source>:<line>: <problem>".
GraphmlOutline outline_graphml(std::string_view text, const std::string& source);

struct GraphmlElement {
  std::string id;  // a node's id; "source - target" for an edge
  std::int64_t line = 0;
  std::map<std::string, std::string, std::less<>> values;  // attribute name -> text
};

struct GraphmlDocument {
  std::string source;  // the file name, for messages
  std::vector<GraphmlElement> nodes;
  struct Edge : GraphmlElement {
    std::uint32_t a = 0;  // indices into nodes
    std::uint32_t b = 0;
  };
  std::vector<Edge> edges;

  // "file:line: node \"a\"" / "file:line: edge a - b", to start a message.
  std::string where(const GraphmlElement& element, bool is_edge) const;
  // The attribute as a number; nullopt when absent. Throws TopologyError naming the
  // element when the text is not a finite number.
  std::optional<double> number(const GraphmlElement& element, bool is_edge, std::string_view name) const;
};

// The largest GraphML file read: far above any fabric or network written by hand or by a
// script (a million cables are ~150 MB), yet small enough that Boost's property tree
// for it fits in memory.
constexpr std::uint64_t kMaxGraphmlBytes = std::uint64_t{256} << 20;

// The whole file through sim::read_input_file (a regular file, at most kMaxGraphmlBytes);
// throws TopologyError naming the path ("GraphML file /dev/zero: not a regular file ...").
std::string read_graphml_file(const std::filesystem::path& path);

// Reads a GraphML document (outline first, then Boost's reader). Attributes other than
// `node_attributes` on nodes and `edge_attributes` on edges, and any graph attribute, are
// errors naming the attribute and the ones expected. Throws TopologyError.
GraphmlDocument read_graphml_document(std::istream& in, const std::string& source,
                                      const std::vector<std::string_view>& node_attributes,
                                      const std::vector<std::string_view>& edge_attributes);

}  // namespace topologies
