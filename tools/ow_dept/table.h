#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace onewindow::ow_dept {

// A plain text table for terminals: columns padded to their widest cell,
// counting CJK characters as two columns so Chinese names line up.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Terminal columns `text` (UTF-8) takes.
size_t DisplayWidth(const std::string& text);

}  // namespace onewindow::ow_dept
