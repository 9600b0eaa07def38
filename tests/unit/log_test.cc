#include <catch2/catch.hpp>
#include <limits>

#include "absl/strings/match.h"
#include "libs/codes/mask.h"
#include "libs/log/json_writer.h"
#include "libs/log/logger.h"

namespace onewindow::log {
namespace {

class CaptureSink : public Sink {
 public:
  void Write(absl::string_view line) override { lines.emplace_back(line); }
  std::vector<std::string> lines;
};

TEST_CASE("a log line is one JSON object with service, level, request id and fields") {
  auto sink = std::make_shared<CaptureSink>();
  Logger logger("catalog", Level::kInfo, sink);
  logger.WithRequestId("req-1").Info("imported", {{"count", 3}, {"ok", true}, {"who", "张三"}});
  REQUIRE(sink->lines.size() == 1);
  const std::string& line = sink->lines[0];
  CHECK(absl::StartsWith(line, "{\"time\":\""));
  CHECK(absl::EndsWith(line, "}\n"));
  CHECK(absl::StrContains(line, R"("level":"info","service":"catalog","request_id":"req-1")"));
  CHECK(absl::StrContains(line, R"("msg":"imported","count":3,"ok":true,"who":"张三")"));
}

TEST_CASE("lines below the minimum level are dropped") {
  auto sink = std::make_shared<CaptureSink>();
  Logger logger("x", Level::kWarn, sink);
  logger.Info("quiet");
  logger.Error("loud");
  CHECK(sink->lines.size() == 1);
}

TEST_CASE("control characters, quotes and invalid UTF-8 cannot break a log line") {
  std::string out;
  AppendJsonString("a\"b\\c\nd\x01\xff\xc3", &out);
  CHECK(out == "\"a\\\"b\\\\c\\nd\\u0001\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST_CASE("masked personal data is what reaches the log") {
  auto sink = std::make_shared<CaptureSink>();
  Logger logger("identity", Level::kInfo, sink);
  logger.Info("registered", {{"resident_id", codes::MaskResidentId("11010519491231002X")},
                             {"phone", codes::MaskPhone("13812341234")}});
  CHECK(absl::StrContains(sink->lines[0], "110***********002X"));
  CHECK(absl::StrContains(sink->lines[0], "138****1234"));
  CHECK_FALSE(absl::StrContains(sink->lines[0], "19491231"));
}

TEST_CASE("every kind of field value renders as JSON when the line is written") {
  auto sink = std::make_shared<CaptureSink>();
  Logger logger("x", Level::kInfo, sink);
  const std::string quoted = "say \"hi\"";
  logger.Info("m", {{"s", quoted},
                    {"temporary", std::string("a\nb")},
                    {"negative", int64_t{-7}},
                    {"big", std::numeric_limits<uint64_t>::max()},
                    {"half", 0.5},
                    {"no", false}});
  REQUIRE(sink->lines.size() == 1);
  CHECK(absl::StrContains(sink->lines[0], R"("s":"say \"hi\"","temporary":"a\nb","negative":-7,)"
                                          R"("big":18446744073709551615,"half":0.5,"no":false})"));
}

TEST_CASE("non-finite numbers are logged as null") {
  auto sink = std::make_shared<CaptureSink>();
  Logger logger("x", Level::kInfo, sink);
  logger.Info("m", {{"v", std::numeric_limits<double>::infinity()}});
  CHECK(absl::StrContains(sink->lines[0], "\"v\":null"));
}

}  // namespace
}  // namespace onewindow::log
