#pragma once

#include <string>

#include <google/protobuf/timestamp.pb.h>

#include "absl/time/time.h"

namespace onewindow::store {

// Times are stored as integer microseconds since the Unix epoch, UTC: exact,
// sortable and cheap to compare in SQL.
int64_t ToStoredTime(absl::Time t);
absl::Time FromStoredTime(int64_t micros);

google::protobuf::Timestamp ToProtoTime(absl::Time t);
absl::Time FromProtoTime(const google::protobuf::Timestamp& ts);

// RFC 3339 in UTC with a Z, for logs and JSON written by hand.
std::string FormatUtc(absl::Time t);

}  // namespace onewindow::store
