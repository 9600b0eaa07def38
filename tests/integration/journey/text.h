#pragma once

#include <string>

namespace onewindow::journey {

// `text` cut to a readable length at a UTF-8 character boundary.
std::string Shorten(const std::string& text);

}  // namespace onewindow::journey
