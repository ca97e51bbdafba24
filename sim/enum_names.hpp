#pragma once
// One name table per enum, and the conversions every reader and writer of names uses.
//
// Names are snake_case, the spelling of scenario keys, CLI options, Python arguments and
// result files. An enum takes part by declaring, in its own namespace, a table of
// {value, name} and a function `enum_names` that returns it (found by argument-dependent
// lookup, so nothing here names the enum):
//
//   enum class Colour : std::uint8_t { red, dark_blue };
//   inline constexpr sim::EnumName<Colour> kColourNames[] = {
//       {Colour::red, "red"}, {Colour::dark_blue, "dark_blue"}, {Colour::dark_blue, "navy"}};
//   constexpr std::span<const sim::EnumName<Colour>> enum_names(Colour) { return kColourNames; }
//
// The first entry of a value is its name; later entries for the same value are accepted
// aliases ("ring" for ring_allreduce). Every parse error lists what is accepted:
//   unknown colour "green" (expected red or dark_blue (navy))

#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sim {

template <class E>
struct EnumName {
  E value;
  std::string_view name;
};

template <class E>
concept NamedEnum = std::is_enum_v<E> && requires(E e) {
  { enum_names(e) } -> std::convertible_to<std::span<const EnumName<E>>>;
};

template <NamedEnum E>
constexpr std::span<const EnumName<E>> name_table() {
  return enum_names(E{});
}

// The value's name; "?" for a value missing from its table (a table left behind).
template <NamedEnum E>
constexpr std::string_view name_of(E value) {
  for (const auto& entry : name_table<E>()) {
    if (entry.value == value) return entry.name;
  }
  return "?";
}

// The value named `text` (a name or an alias), if any. Spellings are exact: case and
// '-' versus '_' matter.
template <NamedEnum E>
constexpr std::optional<E> find_enum(std::string_view text) {
  for (const auto& entry : name_table<E>()) {
    if (entry.name == text) return entry.value;
  }
  return std::nullopt;
}

// "a, b (alias) or c": every value's name once, in table order, aliases in parentheses.
template <NamedEnum E>
std::string accepted_names() {
  const auto table = name_table<E>();
  std::vector<std::string> items;
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (name_of(table[i].value) != table[i].name) continue;  // an alias: listed with its name
    std::string item(table[i].name);
    std::string aliases;
    for (std::size_t j = i + 1; j < table.size(); ++j) {
      if (table[j].value != table[i].value) continue;
      aliases += aliases.empty() ? "" : ", ";
      aliases += table[j].name;
    }
    if (!aliases.empty()) item += " (" + aliases + ")";
    items.push_back(std::move(item));
  }
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

// Every accepted spelling, names and aliases in table order: for the allowed values of a
// scenario key or a CLI option.
template <NamedEnum E>
std::vector<std::string> accepted_spellings() {
  std::vector<std::string> out;
  for (const auto& entry : name_table<E>()) out.emplace_back(entry.name);
  return out;
}

// The value named `text`; otherwise std::invalid_argument
//   unknown <what> "<text>" (expected <accepted_names>)
template <NamedEnum E>
E parse_enum(std::string_view text, std::string_view what) {
  if (const auto value = find_enum<E>(text)) return *value;
  throw std::invalid_argument("unknown " + std::string(what) + " \"" + std::string(text) + "\" (expected " +
                              accepted_names<E>() + ")");
}

}  // namespace sim
