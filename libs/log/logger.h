#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace onewindow::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Parses "debug", "info", "warn" or "error".
bool ParseLevel(absl::string_view text, Level* level);

// One key/value of a log line. Personal data must be masked
// (libs/codes/mask.h) before it becomes a Field.
//
// A Field keeps its value as given and renders it as JSON only when a line
// is written, so a line below the logger's level costs no escaping. It is a
// view: it lives in the initializer list of the Log call it is passed to,
// and the strings it names must outlive that call (temporaries do).
class Field {
 public:
  Field(absl::string_view key, absl::string_view value)
      : key_(key), kind_(Kind::kString), text_(value) {}
  Field(absl::string_view key, const char* value) : Field(key, absl::string_view(value)) {}
  Field(absl::string_view key, const std::string& value) : Field(key, absl::string_view(value)) {}
  Field(absl::string_view key, int64_t value) : key_(key), kind_(Kind::kInt) { int_ = value; }
  Field(absl::string_view key, int value) : Field(key, static_cast<int64_t>(value)) {}
  Field(absl::string_view key, uint64_t value) : key_(key), kind_(Kind::kUint) { uint_ = value; }
  Field(absl::string_view key, double value) : key_(key), kind_(Kind::kDouble) { double_ = value; }
  Field(absl::string_view key, bool value) : key_(key), kind_(Kind::kBool) { bool_ = value; }

  absl::string_view key() const { return key_; }
  // Appends the value as JSON.
  void AppendJson(std::string* out) const;

 private:
  enum class Kind { kString, kInt, kUint, kDouble, kBool };
  absl::string_view key_;
  Kind kind_;
  absl::string_view text_;
  union {
    int64_t int_;
    uint64_t uint_;
    double double_;
    bool bool_;
  };
};

// Where finished lines go. Writes whole lines so concurrent writers never
// interleave inside one.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void Write(absl::string_view line) = 0;
};

// Writes to a file descriptor (stderr by default), one write(2) per line.
class FdSink : public Sink {
 public:
  explicit FdSink(int fd = 2) : fd_(fd) {}
  void Write(absl::string_view line) override;

 private:
  absl::Mutex mu_;
  int fd_ ABSL_GUARDED_BY(mu_);
};

// A JSON-lines logger: {"time","level","service","request_id","msg",...fields}.
// Cheap to copy; copies share the sink. WithRequestId() binds the id that
// crosses services so every line of one call can be found together.
class Logger {
 public:
  Logger(std::string service, Level min_level, std::shared_ptr<Sink> sink);
  // A logger for tests and tools that writes to stderr.
  static Logger Stderr(std::string service, Level min_level = Level::kInfo);

  Logger WithRequestId(absl::string_view request_id) const;
  const std::string& request_id() const { return request_id_; }
  const std::string& service() const { return service_; }

  void Log(Level level, absl::string_view msg, std::initializer_list<Field> fields = {}) const;
  void Debug(absl::string_view msg, std::initializer_list<Field> fields = {}) const {
    Log(Level::kDebug, msg, fields);
  }
  void Info(absl::string_view msg, std::initializer_list<Field> fields = {}) const {
    Log(Level::kInfo, msg, fields);
  }
  void Warn(absl::string_view msg, std::initializer_list<Field> fields = {}) const {
    Log(Level::kWarn, msg, fields);
  }
  void Error(absl::string_view msg, std::initializer_list<Field> fields = {}) const {
    Log(Level::kError, msg, fields);
  }
  bool Enabled(Level level) const { return level >= min_level_; }

 private:
  std::string service_;
  Level min_level_;
  std::shared_ptr<Sink> sink_;
  std::string request_id_;
};

}  // namespace onewindow::log
