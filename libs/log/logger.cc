#include "libs/log/logger.h"

#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/log/json_writer.h"

namespace onewindow::log {
namespace {

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

bool ParseLevel(absl::string_view text, Level* level) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (text == LevelName(l)) {
      *level = l;
      return true;
    }
  }
  return false;
}

void Field::AppendJson(std::string* out) const {
  switch (kind_) {
    case Kind::kString:
      AppendJsonString(text_, out);
      return;
    case Kind::kInt:
      absl::StrAppend(out, int_);
      return;
    case Kind::kUint:
      absl::StrAppend(out, uint_);
      return;
    case Kind::kDouble:
      // JSON has no NaN or infinity.
      if (std::isfinite(double_)) {
        absl::StrAppend(out, double_);
      } else {
        out->append("null");
      }
      return;
    case Kind::kBool:
      out->append(bool_ ? "true" : "false");
      return;
  }
}

void FdSink::Write(absl::string_view line) {
  absl::MutexLock lock(&mu_);
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // Nowhere left to report a failing log sink.
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

Logger::Logger(std::string service, Level min_level, std::shared_ptr<Sink> sink)
    : service_(std::move(service)), min_level_(min_level), sink_(std::move(sink)) {}

Logger Logger::Stderr(std::string service, Level min_level) {
  return Logger(std::move(service), min_level, std::make_shared<FdSink>(2));
}

Logger Logger::WithRequestId(absl::string_view request_id) const {
  Logger copy = *this;
  copy.request_id_ = std::string(request_id);
  return copy;
}

void Logger::Log(Level level, absl::string_view msg, std::initializer_list<Field> fields) const {
  if (!Enabled(level)) return;
  std::string line;
  line.reserve(160 + msg.size());
  line.append("{\"time\":");
  AppendJsonString(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone()),
                   &line);
  absl::StrAppend(&line, ",\"level\":\"", LevelName(level), "\",\"service\":");
  AppendJsonString(service_, &line);
  if (!request_id_.empty()) {
    line.append(",\"request_id\":");
    AppendJsonString(request_id_, &line);
  }
  line.append(",\"msg\":");
  AppendJsonString(msg, &line);
  for (const Field& f : fields) {
    line.push_back(',');
    AppendJsonString(f.key(), &line);
    line.push_back(':');
    f.AppendJson(&line);
  }
  line.append("}\n");
  sink_->Write(line);
}

}  // namespace onewindow::log
