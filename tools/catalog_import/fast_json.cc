#include "tools/catalog_import/fast_json.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

namespace onewindow::catalog_import {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr int kMaxDepth = 32;

bool ValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n;
  }
  return true;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

const FastJsonParser::FieldMap& FastJsonParser::FieldsOf(const Descriptor* descriptor) {
  auto [it, fresh] = fields_.try_emplace(descriptor);
  if (fresh) {
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const FieldDescriptor* f = descriptor->field(i);
      it->second.emplace(f->json_name(), f);
      it->second.emplace(f->name(), f);
    }
  }
  return it->second;
}

bool FastJsonParser::Parse(absl::string_view json, Message* message) {
  in_ = json;
  pos_ = 0;
  message->Clear();
  if (!ParseObject(message, 0)) return false;
  SkipSpace();
  return pos_ == in_.size();
}

void FastJsonParser::SkipSpace() {
  while (pos_ < in_.size()) {
    const char c = in_[pos_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    ++pos_;
  }
}

bool FastJsonParser::Consume(char c) {
  if (pos_ < in_.size() && in_[pos_] == c) {
    ++pos_;
    return true;
  }
  return false;
}

bool FastJsonParser::ParseObject(Message* message, int depth) {
  if (depth > kMaxDepth) return false;
  SkipSpace();
  if (!Consume('{')) return false;
  SkipSpace();
  if (Consume('}')) return true;
  const Descriptor* descriptor = message->GetDescriptor();
  const FieldMap& fields = FieldsOf(descriptor);
  std::vector<bool> seen(static_cast<size_t>(descriptor->field_count()), false);
  std::string key;
  for (;;) {
    SkipSpace();
    if (!ParseString(&key)) return false;
    auto it = fields.find(key);
    if (it == fields.end()) return false;
    const FieldDescriptor* f = it->second;
    if (seen[static_cast<size_t>(f->index())]) return false;
    seen[static_cast<size_t>(f->index())] = true;
    SkipSpace();
    if (!Consume(':')) return false;
    if (!ParseField(message, f, depth)) return false;
    SkipSpace();
    if (Consume(',')) continue;
    return Consume('}');
  }
}

bool FastJsonParser::ParseField(Message* message, const FieldDescriptor* f, int depth) {
  if (f->is_map()) return false;
  if (!f->is_repeated()) return ParseValue(message, f, depth);
  SkipSpace();
  if (!Consume('[')) return false;
  SkipSpace();
  if (Consume(']')) return true;
  for (;;) {
    if (!ParseValue(message, f, depth)) return false;
    SkipSpace();
    if (Consume(',')) continue;
    return Consume(']');
  }
}

bool FastJsonParser::ParseValue(Message* message, const FieldDescriptor* f, int depth) {
  SkipSpace();
  if (pos_ >= in_.size()) return false;
  const Reflection* r = message->GetReflection();
  const bool repeated = f->is_repeated();
  const bool quoted = in_[pos_] == '"';
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      if (f->type() == FieldDescriptor::TYPE_BYTES || !quoted) return false;
      if (!ParseString(&scratch_) || !ValidUtf8(scratch_)) return false;
      if (repeated) {
        r->AddString(message, f, scratch_);
      } else {
        r->SetString(message, f, scratch_);
      }
      return true;
    }
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64: {
      int64_t value = 0;
      bool negative = false;
      uint64_t magnitude = 0;
      if (quoted) {
        // Protobuf prints 64-bit integers as strings; it reads both forms.
        if (!ParseString(&scratch_)) return false;
        absl::string_view saved_in = in_;
        const size_t saved_pos = pos_;
        in_ = scratch_;
        pos_ = 0;
        const bool ok = ParseInteger(&value, &negative, &magnitude) && pos_ == in_.size();
        in_ = saved_in;
        pos_ = saved_pos;
        if (!ok) return false;
      } else if (!ParseInteger(&value, &negative, &magnitude)) {
        return false;
      }
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_INT32:
          if (value < std::numeric_limits<int32_t>::min() ||
              value > std::numeric_limits<int32_t>::max()) {
            return false;
          }
          repeated ? r->AddInt32(message, f, static_cast<int32_t>(value))
                   : r->SetInt32(message, f, static_cast<int32_t>(value));
          return true;
        case FieldDescriptor::CPPTYPE_INT64:
          if (!negative && magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
            return false;
          }
          repeated ? r->AddInt64(message, f, value) : r->SetInt64(message, f, value);
          return true;
        case FieldDescriptor::CPPTYPE_UINT32:
          if (negative || magnitude > std::numeric_limits<uint32_t>::max()) return false;
          repeated ? r->AddUInt32(message, f, static_cast<uint32_t>(magnitude))
                   : r->SetUInt32(message, f, static_cast<uint32_t>(magnitude));
          return true;
        default:
          if (negative) return false;
          repeated ? r->AddUInt64(message, f, magnitude) : r->SetUInt64(message, f, magnitude);
          return true;
      }
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double value = 0;
      if (quoted || !ParseDouble(&value)) return false;
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        if (std::fabs(value) > std::numeric_limits<float>::max()) return false;
        repeated ? r->AddFloat(message, f, static_cast<float>(value))
                 : r->SetFloat(message, f, static_cast<float>(value));
      } else {
        repeated ? r->AddDouble(message, f, value) : r->SetDouble(message, f, value);
      }
      return true;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool value;
      if (in_.substr(pos_, 4) == "true") {
        value = true;
        pos_ += 4;
      } else if (in_.substr(pos_, 5) == "false") {
        value = false;
        pos_ += 5;
      } else {
        return false;
      }
      repeated ? r->AddBool(message, f, value) : r->SetBool(message, f, value);
      return true;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const google::protobuf::EnumValueDescriptor* e = nullptr;
      if (quoted) {
        if (!ParseString(&scratch_)) return false;
        e = f->enum_type()->FindValueByName(scratch_);
      } else {
        int64_t number = 0;
        bool negative = false;
        uint64_t magnitude = 0;
        if (!ParseInteger(&number, &negative, &magnitude)) return false;
        if (number < std::numeric_limits<int32_t>::min() ||
            number > std::numeric_limits<int32_t>::max()) {
          return false;
        }
        e = f->enum_type()->FindValueByNumber(static_cast<int>(number));
      }
      if (e == nullptr) return false;
      repeated ? r->AddEnum(message, f, e) : r->SetEnum(message, f, e);
      return true;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      // Well-known types (Timestamp, Duration, wrappers, Any, Struct) have
      // their own JSON forms: protobuf's parser handles them.
      if (absl::StartsWith(f->message_type()->file()->name(), "google/protobuf/")) return false;
      Message* child = repeated ? r->AddMessage(message, f) : r->MutableMessage(message, f);
      return ParseObject(child, depth + 1);
    }
  }
  return false;
}

bool FastJsonParser::ParseString(std::string* out) {
  if (!Consume('"')) return false;
  out->clear();
  for (;;) {
    const size_t start = pos_;
    while (pos_ < in_.size() && in_[pos_] != '"' && in_[pos_] != '\\' &&
           static_cast<unsigned char>(in_[pos_]) >= 0x20) {
      ++pos_;
    }
    out->append(in_.data() + start, pos_ - start);
    if (pos_ >= in_.size()) return false;
    const char c = in_[pos_++];
    if (c == '"') return true;
    if (c != '\\') return false;  // a raw control character
    if (pos_ >= in_.size()) return false;
    const char e = in_[pos_++];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out->push_back(e);
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        auto hex4 = [this](uint32_t* v) {
          if (pos_ + 4 > in_.size()) return false;
          *v = 0;
          for (int k = 0; k < 4; ++k) {
            const int h = HexValue(in_[pos_ + k]);
            if (h < 0) return false;
            *v = (*v << 4) | static_cast<uint32_t>(h);
          }
          pos_ += 4;
          return true;
        };
        uint32_t cp;
        if (!hex4(&cp)) return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low;
          if (in_.substr(pos_, 2) != "\\u") return false;
          pos_ += 2;
          if (!hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return false;
        }
        AppendUtf8(cp, out);
        break;
      }
      default:
        return false;
    }
  }
}

bool FastJsonParser::ParseInteger(int64_t* out, bool* negative, uint64_t* magnitude) {
  *negative = Consume('-');
  const size_t start = pos_;
  uint64_t m = 0;
  while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') {
    const uint64_t digit = static_cast<uint64_t>(in_[pos_] - '0');
    if (m > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
    m = m * 10 + digit;
    ++pos_;
  }
  const size_t digits = pos_ - start;
  if (digits == 0 || (digits > 1 && in_[start] == '0')) return false;
  // Fractions and exponents ("1.0", "1e3") are protobuf's to judge.
  if (pos_ < in_.size() && (in_[pos_] == '.' || in_[pos_] == 'e' || in_[pos_] == 'E')) {
    return false;
  }
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (*negative) {
    if (m > kMaxPositive + 1) return false;
    *out = m == kMaxPositive + 1 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(m);
  } else {
    // Values above INT64_MAX only fit unsigned fields, which read *magnitude.
    *out = m > kMaxPositive ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(m);
  }
  *magnitude = m;
  return true;
}

bool FastJsonParser::ParseDouble(double* out) {
  const size_t start = pos_;
  while (pos_ < in_.size()) {
    const char c = in_[pos_];
    if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
      ++pos_;
    } else {
      break;
    }
  }
  if (pos_ == start) return false;
  const std::string token(in_.substr(start, pos_ - start));
  char* end = nullptr;
  *out = std::strtod(token.c_str(), &end);
  return end == token.c_str() + token.size() && std::isfinite(*out);
}

}  // namespace onewindow::catalog_import
