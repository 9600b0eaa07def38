#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "libs/codes/phone.h"
#include "libs/codes/resident_id.h"
#include "tools/loadgen/citizens.h"
#include "tools/loadgen/histogram.h"
#include "tools/loadgen/mix.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/requests.h"

namespace onewindow::loadgen {
namespace {

TEST_CASE("loadgen: histogram buckets tile the range without gaps or overlaps", "[loadgen]") {
  for (int b = 0; b + 1 < LatencyHistogram::kBuckets; ++b) {
    INFO("bucket " << b);
    REQUIRE(LatencyHistogram::BucketHigh(b) + 1 == LatencyHistogram::BucketLow(b + 1));
    REQUIRE(LatencyHistogram::BucketOf(LatencyHistogram::BucketLow(b)) == b);
    REQUIRE(LatencyHistogram::BucketOf(LatencyHistogram::BucketHigh(b)) == b);
  }
  // Beyond the range everything lands in the last bucket.
  CHECK(LatencyHistogram::BucketOf(uint64_t{1} << 40) == LatencyHistogram::kBuckets - 1);
}

TEST_CASE("loadgen: histogram percentiles are within 3 percent of the exact ones", "[loadgen]") {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100000; ++v) h.Record(v);
  CHECK(h.count() == 100000);
  CHECK(h.Percentile(0.50) == Approx(50000).epsilon(0.03));
  CHECK(h.Percentile(0.99) == Approx(99000).epsilon(0.03));
  CHECK(h.Percentile(1.0) <= 100000);
  LatencyHistogram small;
  for (uint64_t v : {3, 5, 7}) small.Record(v);
  CHECK(small.Percentile(0.5) == 5);  // exact below 64 µs
}

TEST_CASE("loadgen: an empty histogram reports zero and merging adds counts", "[loadgen]") {
  LatencyHistogram a, b;
  CHECK(a.Percentile(0.99) == 0);
  a.Record(100);
  b.Record(10000);
  b.Record(10000);
  a.Merge(b);
  CHECK(a.count() == 3);
  CHECK(a.max_micros() == 10000);
  CHECK(a.Percentile(0.34) == Approx(10000).epsilon(0.03));
}

TEST_CASE("loadgen: the mix parses weights and picks in proportion to them", "[loadgen]") {
  absl::StatusOr<Mix> mix = Mix::Parse("search:70, guide:20,login:10");
  REQUIRE(mix.ok());
  CHECK(mix->weight(Op::kSearch) == 70);
  CHECK(mix->weight(Op::kDecide) == 0);
  int counts[kOpCount] = {};
  for (int i = 0; i < 10000; ++i) ++counts[static_cast<int>(mix->Pick(i / 10000.0))];
  CHECK(counts[static_cast<int>(Op::kSearch)] == 7000);
  CHECK(counts[static_cast<int>(Op::kGuide)] == 2000);
  CHECK(counts[static_cast<int>(Op::kLogin)] == 1000);
  CHECK(mix->Pick(0.9999999) == Op::kLogin);

  mix->Disable(Op::kSearch);
  for (int i = 0; i < 100; ++i) CHECK(mix->Pick(i / 100.0) != Op::kSearch);
  CHECK(mix->ToString() == "guide:20,login:10");
  CHECK(Mix::Parse(kDefaultMix).ok());
}

TEST_CASE("loadgen: a bad mix is refused naming every problem", "[loadgen]") {
  absl::StatusOr<Mix> mix = Mix::Parse("search:70,browse:5,guide:-1,me");
  REQUIRE(!mix.ok());
  const std::string message(mix.status().message());
  CHECK(absl::StrContains(message, "browse"));
  CHECK(absl::StrContains(message, "guide:-1"));
  CHECK(absl::StrContains(message, "\"me\""));
  CHECK(!Mix::Parse("search:0").ok());
}

TEST_CASE("loadgen: synthetic citizens have valid, distinct and repeatable identities",
          "[loadgen]") {
  std::set<std::string> ids;
  for (int i = 0; i < 3000; ++i) {
    const Citizen c = MakeCitizen(7, i, "440106001001");
    INFO(c.resident_id);
    REQUIRE(codes::ValidateResidentId(c.resident_id).ok());
    REQUIRE(c.resident_id.substr(0, 6) == "440106");
    REQUIRE(codes::ValidatePhone(c.phone).ok());
    ids.insert(c.resident_id);
  }
  CHECK(ids.size() == 3000);
  CHECK(MakeCitizen(7, 42, "440106001001").resident_id ==
        MakeCitizen(7, 42, "440106001001").resident_id);
  CHECK(MakeCitizen(8, 42, "440106001001").resident_id !=
        MakeCitizen(7, 42, "440106001001").resident_id);
}

TEST_CASE("loadgen: a sign-in answer gives the session cookie and CSRF token", "[loadgen]") {
  absl::StatusOr<Session> s = SessionFrom("ow_session=abc123; Path=/; HttpOnly; SameSite=Strict",
                                          R"({"csrfToken":"tok","principal":{"kind":"CITIZEN"}})");
  REQUIRE(s.ok());
  CHECK(s->cookie == "ow_session=abc123");
  CHECK(s->csrf_token == "tok");
  CHECK(SessionFrom("__Host-ow_session=x; Secure", R"({"csrfToken":"t"})")->cookie ==
        "__Host-ow_session=x");
  CHECK(!SessionFrom("", R"({"csrfToken":"tok"})").ok());
  CHECK(!SessionFrom("ow_session=abc", R"({"principal":{}})").ok());
}

TEST_CASE("loadgen: requests are encoded as the gateway expects", "[loadgen]") {
  CHECK(UrlEncode("社保 a/b") == "%E7%A4%BE%E4%BF%9D%20a%2Fb");
  CHECK(SearchCall("社保", "440106000000").target ==
        "/api/v1/items?q=%E7%A4%BE%E4%BF%9D&page_size=20&region_code=440106000000");
  const std::string pdf = PdfBody(4096);
  CHECK(absl::StartsWith(pdf, "%PDF-"));
  CHECK(pdf.size() >= 4000);
  CHECK(pdf.size() <= 4200);
  Session session{"ow_session=s", "csrf"};
  SubmitItem item;
  item.implementation_code = "XK00101001-114401000069391245";
  item.revision = 3;
  item.required_materials = {"M01", "M02"};
  const HttpCall submit = SubmitCall(session, item, {"mat_1", "mat_2"}, "key-1");
  CHECK(absl::StrContains(submit.body, R"("catalogRevision":"3")"));
  CHECK(absl::StrContains(submit.body, R"({"guideMaterialId":"M02","materialId":"mat_2"})"));
  bool csrf = false, key = false;
  for (const auto& [name, value] : submit.headers) {
    csrf |= name == "X-CSRF-Token" && value == "csrf";
    key |= name == "Idempotency-Key" && value == "key-1";
  }
  CHECK(csrf);
  CHECK(key);
}

TEST_CASE("loadgen: an error answer is described by its status and message", "[loadgen]") {
  CHECK(DescribeAnswer(503, R"({"error":{"code":"UNAVAILABLE","message":"intake unavailable"}})") ==
        "HTTP 503: intake unavailable");
  CHECK(DescribeAnswer(502, "bad gateway") == "HTTP 502: bad gateway");
  // Long messages are cut at a character boundary.
  std::string long_message;
  for (int i = 0; i < 100; ++i) long_message += "错";
  const std::string d = DescribeAnswer(400, long_message);
  CHECK(absl::EndsWith(d, "..."));
  CHECK(d.size() < 180);
  CHECK((d.size() - 3 - std::string("HTTP 400: ").size()) % 3 == 0);
}

TEST_CASE("loadgen: the report has a row per endpoint, skipped reasons and figure lines",
          "[loadgen]") {
  RunStats stats;
  EndpointStats& search = stats.at(Endpoint::kSearch);
  for (int i = 0; i < 100; ++i) {
    ++search.requests;
    ++search.ok;
    search.latency.Record(50);
  }
  search.requests += 3;
  search.throttled += 2;
  search.AddError("HTTP 503: catalog unavailable");
  ReportInput in;
  in.stats = &stats;
  in.seconds = 10;
  in.wanted[static_cast<size_t>(Endpoint::kSearch)] = true;
  in.wanted[static_cast<size_t>(Endpoint::kSubmit)] = true;
  in.skipped[static_cast<size_t>(Endpoint::kSubmit)] = "service not available: HTTP 503";

  const std::string table = FormatTable(in);
  CHECK(absl::StrContains(table, "search"));
  CHECK(absl::StrContains(table, "10.3"));  // 103 requests in 10 s
  CHECK(absl::StrContains(table, "skipped: service not available: HTTP 503"));
  CHECK(!absl::StrContains(table, "complain"));  // not in the mix

  const std::vector<std::string> figures = FigureLines(in);
  auto has = [&](const std::string& line) {
    for (const auto& f : figures) {
      if (f == line) return true;
    }
    return false;
  };
  CHECK(has("figure: loadgen.search.requests 103 requests"));
  CHECK(has("figure: loadgen.search.rate 10.3 req/s"));
  CHECK(has("figure: loadgen.search.p50 0.050 ms"));
  CHECK(has("figure: loadgen.search.errors 1 requests"));
  CHECK(has("figure: loadgen.search.throttled 2 requests"));
  CHECK(has("figure: loadgen.total.requests 103 requests"));
  for (const auto& f : figures) CHECK(!absl::StrContains(f, "submit"));

  const std::vector<std::string> notes = NoteLines(in);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0] == "note: search error x1: HTTP 503: catalog unavailable");
}

}  // namespace
}  // namespace onewindow::loadgen
