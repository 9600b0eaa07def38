#pragma once

// A fast path for reading protobuf JSON in bulk. Protobuf 3.21's parser goes
// JSON -> object writer -> binary -> message and manages about 10,000 of our
// 2 KB implementations a second on one core: too slow to feed the catalog
// tens of thousands a second. This parser fills the message directly by
// reflection and handles what our JSON Lines files use: objects, arrays,
// strings (with escapes), integers (also as strings, as protobuf prints
// int64), floating point numbers, booleans and enums by name or number.
//
// It never decides that input is bad: anything outside that subset, or
// anything suspicious (unknown or repeated keys, null, maps, well-known types,
// out-of-range numbers, malformed JSON), makes it return false, and the caller
// falls back to protobuf's parser, which stays the reference for both the
// result and the error message.

#include <string>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/string_view.h"

namespace onewindow::catalog_import {

class FastJsonParser {
 public:
  // True when `json` was parsed completely into `message` (cleared first).
  // False leaves `message` in an unspecified state.
  bool Parse(absl::string_view json, google::protobuf::Message* message);

 private:
  using FieldMap = absl::flat_hash_map<std::string, const google::protobuf::FieldDescriptor*>;
  const FieldMap& FieldsOf(const google::protobuf::Descriptor* descriptor);

  bool ParseObject(google::protobuf::Message* message, int depth);
  bool ParseField(google::protobuf::Message* message, const google::protobuf::FieldDescriptor* f,
                  int depth);
  bool ParseValue(google::protobuf::Message* message, const google::protobuf::FieldDescriptor* f,
                  int depth);
  bool ParseString(std::string* out);
  bool ParseInteger(int64_t* out, bool* negative, uint64_t* magnitude);
  bool ParseDouble(double* out);
  void SkipSpace();
  bool Consume(char c);

  // Field lookup by JSON name and proto name, per message type. One parser
  // per thread: the cache is not locked. Node-based so that a nested
  // object's first lookup cannot move the enclosing object's map.
  absl::node_hash_map<const google::protobuf::Descriptor*, FieldMap> fields_;
  absl::string_view in_;
  size_t pos_ = 0;
  std::string scratch_;
};

}  // namespace onewindow::catalog_import
