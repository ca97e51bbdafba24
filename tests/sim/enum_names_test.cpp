#include <doctest/doctest.h>

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/enum_names.hpp"

namespace palette {

enum class Colour : std::uint8_t { red, dark_blue, green };
inline constexpr sim::EnumName<Colour> kColourNames[] = {
    {Colour::red, "red"}, {Colour::dark_blue, "dark_blue"}, {Colour::dark_blue, "navy"}, {Colour::green, "green"}};
constexpr std::span<const sim::EnumName<Colour>> enum_names(Colour) { return kColourNames; }

enum class Partial : std::uint8_t { listed, forgotten };
inline constexpr sim::EnumName<Partial> kPartialNames[] = {{Partial::listed, "listed"}};
constexpr std::span<const sim::EnumName<Partial>> enum_names(Partial) { return kPartialNames; }

}  // namespace palette

using palette::Colour;

TEST_CASE("every value round-trips through its name; aliases parse to their value") {
  for (Colour c : {Colour::red, Colour::dark_blue, Colour::green}) {
    CHECK(sim::parse_enum<Colour>(sim::name_of(c), "colour") == c);
  }
  CHECK(sim::name_of(Colour::dark_blue) == "dark_blue");  // the first entry names the value
  CHECK(sim::parse_enum<Colour>("navy", "colour") == Colour::dark_blue);
  static_assert(sim::name_of(Colour::green) == "green");  // usable at compile time
  static_assert(sim::find_enum<Colour>("navy") == Colour::dark_blue);
}

TEST_CASE("a parse error names the kind, the text and every accepted value") {
  CHECK(sim::accepted_names<Colour>() == "red, dark_blue (navy) or green");
  CHECK_THROWS_WITH_AS(sim::parse_enum<Colour>("Red", "colour"),
                       "unknown colour \"Red\" (expected red, dark_blue (navy) or green)", std::invalid_argument);
  // One convention: spellings are exact, '-' is not '_'.
  CHECK_FALSE(sim::find_enum<Colour>("dark-blue").has_value());
  CHECK(sim::accepted_spellings<Colour>() == std::vector<std::string>{"red", "dark_blue", "navy", "green"});
}

TEST_CASE("a value left out of its table is visible as such") {
  CHECK(sim::name_of(palette::Partial::forgotten) == "?");
  CHECK(sim::accepted_names<palette::Partial>() == "listed");
}
