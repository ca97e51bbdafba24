#include "apps/serve/operator_json.hpp"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <set>
#include <string_view>

#include "apps/serve/request_error.hpp"

namespace serve {

namespace acc = models::accelerator;

namespace {

class Reader {
 public:
  Reader(const nlohmann::json& j, std::string where) : j_(j), where_(std::move(where)) {}

  // `sized`: the dimension multiplies into the operator's size (not strides, padding, groups).
  std::uint64_t dim(const char* key, std::optional<std::uint64_t> fallback = std::nullopt, std::uint64_t min = 1,
                    bool sized = true) {
    read_.insert(key);
    const auto it = j_.find(key);
    if (it == j_.end()) {
      if (!fallback) bad_request(where_ + "." + key + ": missing");
      return *fallback;
    }
    const auto value = json_count(*it);
    if (!value || *value < min || *value > kMaxDimension) {
      bad_request(where_ + "." + key + ": expected an integer " + std::to_string(min) + ".." +
                  std::to_string(kMaxDimension) + ", got " +
                  it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    if (sized) size_ *= static_cast<double>(std::max<std::uint64_t>(*value, 1));
    return *value;
  }
  bool flag(const char* key, bool fallback) {
    read_.insert(key);
    const auto it = j_.find(key);
    if (it == j_.end()) return fallback;
    if (!it->is_boolean()) bad_request(where_ + "." + key + ": expected true or false");
    return it->get<bool>();
  }
  void note(const char* key) { read_.insert(key); }
  void also_sized(std::uint64_t v) { size_ *= static_cast<double>(std::max<std::uint64_t>(v, 1)); }
  void finish() const {
    for (const auto& [key, value] : j_.items()) {
      if (!read_.count(key)) bad_request(where_ + "." + key + ": unknown key for this kind of operator");
    }
    if (size_ > kMaxOperatorSize) {
      bad_request(where_ + ": its dimensions multiply to more than 1e14 (an operator that large is not priced)");
    }
  }

 private:
  const nlohmann::json& j_;
  std::string where_;
  std::set<std::string, std::less<>> read_;
  double size_ = 1.0;
};

}  // namespace

acc::Operator operator_from_json(const nlohmann::json& j, const std::string& where, acc::DataType dtype) {
  if (!j.is_object())
    bad_request(where + ": expected an object such as {\"kind\": \"gemm\", \"m\": 64, \"n\": 64, \"k\": 64}");
  Reader r(j, where);
  r.note("kind");
  r.note("name");
  r.note("dtype");
  const auto kind_it = j.find("kind");
  static const std::initializer_list<std::string_view> kinds{"gemm",    "conv2d",    "pool",      "elementwise",
                                                             "softmax", "layernorm", "attention", "gather"};
  std::string kind;
  if (kind_it != j.end() && kind_it->is_string()) kind = kind_it->get<std::string>();
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
    bad_request(where +
                ".kind: expected one of gemm, conv2d, pool, elementwise, softmax, layernorm, attention, gather");
  }
  acc::Operator op;
  op.name = where;
  if (const auto it = j.find("name"); it != j.end()) {
    if (!it->is_string() || it->get_ref<const std::string&>().size() > 64) {
      bad_request(where + ".name: expected a string of at most 64 characters");
    }
    op.name = it->get<std::string>();
  }
  op.dtype = dtype;
  if (const auto it = j.find("dtype"); it != j.end()) {
    const auto parsed = it->is_string() ? acc::parse_data_type(it->get<std::string>()) : std::nullopt;
    if (!parsed) bad_request(where + ".dtype: expected " + sim::accepted_names<acc::DataType>());
    op.dtype = *parsed;
  }
  if (kind == "gemm") {
    op.shape = acc::GemmShape{r.dim("batch", 1), r.dim("m"), r.dim("n"), r.dim("k"), r.flag("shared_weights", true)};
  } else if (kind == "conv2d") {
    acc::Conv2dShape c;
    c.batch = r.dim("batch", 1);
    c.in_channels = r.dim("in_channels");
    c.out_channels = r.dim("out_channels");
    c.height = r.dim("height");
    c.width = r.dim("width");
    c.kernel_h = c.kernel_w = r.dim("kernel");
    r.also_sized(c.kernel_w);  // square kernels
    c.stride = r.dim("stride", 1, 1, false);
    c.padding = r.dim("padding", c.kernel_h / 2, 0, false);
    c.groups = r.dim("groups", 1, 1, false);
    op.shape = c;
  } else if (kind == "pool") {
    acc::PoolShape p;
    p.batch = r.dim("batch", 1);
    p.channels = r.dim("channels");
    p.height = r.dim("height");
    p.width = r.dim("width");
    p.kernel = r.dim("kernel", 0, 0);
    p.stride = r.dim("stride", 1, 1, false);
    p.padding = r.dim("padding", 0, 0, false);
    op.shape = p;
  } else if (kind == "elementwise") {
    op.shape = acc::ElementwiseShape{r.dim("elements"), r.dim("inputs", 1), r.dim("ops_per_element", 1)};
  } else if (kind == "softmax" || kind == "layernorm") {
    op.shape =
        acc::RowNormShape{kind == "softmax" ? acc::RowNormShape::Kind::softmax : acc::RowNormShape::Kind::layernorm,
                          r.dim("rows"), r.dim("cols")};
  } else if (kind == "attention") {
    op.shape =
        acc::AttentionShape{r.dim("batch", 1), r.dim("heads"), r.dim("q_len"), r.dim("kv_len"), r.dim("head_dim")};
  } else {
    acc::GatherShape g;
    g.rows = r.dim("rows");
    g.row_bytes = r.dim("row_bytes");
    g.table_rows = r.dim("table_rows", std::nullopt, 1, false);
    g.offset_bytes = r.dim("offset_bytes", 0, 0, false);
    op.shape = g;
  }
  r.finish();
  try {
    acc::validate(op);
  } catch (const std::invalid_argument& e) {
    bad_request(where + ": " + e.what());
  }
  return op;
}

}  // namespace serve
