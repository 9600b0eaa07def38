#pragma once

#include <cstddef>
#include <string>

namespace onewindow::testing {

// A material of at least `bytes` bytes that intake accepts as a PDF (it
// types uploads by their first bytes) and that no reader needs to open.
std::string FakePdf(size_t bytes);

}  // namespace onewindow::testing
