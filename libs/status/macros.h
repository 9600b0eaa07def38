#pragma once

// Abseil 20220623 ships no status macros; these follow the shape of the ones
// Google uses internally. Each evaluates its argument exactly once.

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define OW_STATUS_CONCAT_INNER_(a, b) a##b
#define OW_STATUS_CONCAT_(a, b) OW_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` is not OK.
#define RETURN_IF_ERROR(expr)                           \
  do {                                                  \
    ::absl::Status ow_status_return_if_error_ = (expr); \
    if (!ow_status_return_if_error_.ok()) {             \
      return ow_status_return_if_error_;                \
    }                                                   \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, MakeX());` binds the value or returns the error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  OW_ASSIGN_OR_RETURN_IMPL_(OW_STATUS_CONCAT_(ow_statusor_, __LINE__), lhs, expr)

#define OW_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                              \
  if (!statusor.ok()) {                                \
    return std::move(statusor).status();               \
  }                                                    \
  lhs = std::move(statusor).value()
