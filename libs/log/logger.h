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

// One key/value of a log line, already rendered as JSON. Personal data must
// be masked (libs/codes/mask.h) before it becomes a Field.
class Field {
 public:
  Field(absl::string_view key, absl::string_view value);
  Field(absl::string_view key, const char* value) : Field(key, absl::string_view(value)) {}
  Field(absl::string_view key, const std::string& value) : Field(key, absl::string_view(value)) {}
  Field(absl::string_view key, int64_t value);
  Field(absl::string_view key, int value) : Field(key, static_cast<int64_t>(value)) {}
  Field(absl::string_view key, uint64_t value);
  Field(absl::string_view key, double value);
  Field(absl::string_view key, bool value);

  const std::string& key() const { return key_; }
  const std::string& json() const { return json_; }

 private:
  std::string key_;
  std::string json_;
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
