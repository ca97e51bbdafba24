// Python keywords as the ValueSource of keyword_values.hpp.

#include "bindings/keyword_values.hpp"

#include <algorithm>
#include <cstdint>

namespace py = pybind11;

namespace bindings {

void KeywordValues::set(const std::string& name, py::object value) {
  if (!values_.emplace(name, std::move(value)).second) problems_.push_back(name + ": given twice (keyword and dict)");
}

void KeywordValues::replace(const std::string& name, py::object value) { values_[name] = std::move(value); }

void KeywordValues::set_table(const std::string& table, const py::dict& d) {
  for (const auto& [k, v] : d) {
    if (!py::isinstance<py::str>(k)) throw py::type_error(table + ": keys must be strings");
    set(table + "." + k.cast<std::string>(), py::reinterpret_borrow<py::object>(v));
  }
}

void KeywordValues::set_array(const std::string& table, const py::list& entries) {
  std::size_t i = 0;
  for (const auto& entry : entries) {
    if (!py::isinstance<py::dict>(entry)) throw py::type_error(table + ": expected a list of dicts");
    ++i;
    set_table(table + "[" + std::to_string(i) + "]", py::reinterpret_borrow<py::dict>(entry));
    read_.insert(table + "[" + std::to_string(i) + "]");
  }
  arrays_[table] = i;
}

bool KeywordValues::has_table(std::string_view table) {
  const std::string prefix = std::string(table) + ".";
  return std::any_of(values_.begin(), values_.end(), [&](const auto& e) { return e.first.rfind(prefix, 0) == 0; });
}

std::size_t KeywordValues::count(std::string_view table) {
  if (const auto it = arrays_.find(std::string(table)); it != arrays_.end() && it->second > 0) {
    if (has_table(table)) problems_.push_back(std::string(table) + ": given both as a list and as keywords");
    return it->second;
  }
  return has_table(table) ? 1 : 0;
}

void KeywordValues::select(std::string_view table, std::size_t index) {
  if (arrays_.contains(std::string(table))) selected_[std::string(table)] = index;
}

std::optional<sim::Value> KeywordValues::get(std::string_view table, std::string_view key) {
  const std::string name = qualified(table, key);
  read_.insert(name);
  const auto it = values_.find(name);
  if (it == values_.end() || it->second.is_none()) return std::nullopt;
  py::handle v = it->second;
  // A NumPy scalar (np.int64, np.float32, np.bool_) reads as the Python value it holds.
  py::object held;
  if (!py::isinstance<py::bool_>(v) && !py::isinstance<py::int_>(v) && !py::isinstance<py::float_>(v) &&
      py::hasattr(v, "dtype") && py::hasattr(v, "item") && py::len(v.attr("shape")) == 0) {
    held = v.attr("item")();
    v = held;
  }
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>();
  if (py::isinstance<py::int_>(v)) {
    try {
      return v.cast<std::int64_t>();
    } catch (const py::cast_error&) {
      return sim::OtherValue{"an integer out of range"};
    }
  }
  if (py::isinstance<py::float_>(v)) return v.cast<double>();
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();
  return sim::OtherValue{"a " + py::str(py::type::of(v).attr("__name__")).cast<std::string>()};
}

void KeywordValues::report(std::string_view table, std::string_view key, std::string message) {
  problems_.push_back(qualified(table, key) + ": " + message);
}

void KeywordValues::finish() {
  for (const auto& [name, value] : values_)
    if (!read_.contains(name)) problems_.push_back(name + ": unknown key");
  if (problems_.empty()) return;
  std::string text;
  for (const auto& p : problems_) text += (text.empty() ? "" : "\n") + p;
  throw py::value_error(text);
}

std::string KeywordValues::qualified(std::string_view table, std::string_view key) const {
  if (table.empty()) return std::string(key);
  if (const auto it = selected_.find(std::string(table)); it != selected_.end())
    return std::string(table) + "[" + std::to_string(it->second + 1) + "]." + std::string(key);
  return std::string(table) + "." + std::string(key);
}

}  // namespace bindings
