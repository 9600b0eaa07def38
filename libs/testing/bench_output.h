#pragma once

// How the benchmark programs report. They print what they measured, one
// figure a line,
//
//   figure: <name> <value> <unit>
//
// with notes in between, and judge nothing; a run that cannot measure ends
// with the reason and exit code 1.

#include <string>
#include <vector>

namespace onewindow::testing {

// Prints a figure with as many decimals as its size warrants: none for a
// whole number, three below 1, two below 10, one below 1000, none above.
void Figure(const std::string& name, double value, const std::string& unit);

// Prints "note: <text>": what was measured and how.
void Note(const std::string& text);

// Prints "<program>: <why>" to stderr and exits 1.
[[noreturn]] void Fail(const std::string& why);

// The nearest-rank percentile of `values` (`p` from 0 to 1): the smallest
// value that at least p of them do not exceed. 0 when there are none.
double Percentile(std::vector<double> values, double p);

}  // namespace onewindow::testing
