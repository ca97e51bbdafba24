#pragma once
// How much of the input a message echoes: a 10 MB value is shown by its start, cut at a
// whole UTF-8 sequence, with how much was left out.

#include <cstddef>
#include <string>
#include <string_view>

namespace sim {

inline constexpr std::size_t kEchoChars = 80;

inline std::string shorten_text(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "... (" + std::to_string(text.size()) + " bytes)";
}

}  // namespace sim
