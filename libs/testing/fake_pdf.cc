#include "libs/testing/fake_pdf.h"

namespace onewindow::testing {

std::string FakePdf(size_t bytes) {
  std::string pdf = "%PDF-1.7\n";
  while (pdf.size() < bytes) pdf += "0123456789abcdef\n";
  return pdf;
}

}  // namespace onewindow::testing
