// The idempotency hash: what it covers, and that it stays what earlier
// releases stored (a retry across an upgrade must still match).
#include <string>

#include <catch2/catch.hpp>

#include "onewindow/intake/v1/intake.pb.h"
#include "services/intake/request_hash.h"

namespace onewindow::intake::test {
namespace {

intake::v1::SubmitApplicationRequest Submission() {
  intake::v1::SubmitApplicationRequest r;
  r.set_request_id("key-1");
  r.set_implementation_code("11440100MB2C00000X4440200300100");
  r.set_catalog_revision(3);
  (*r.mutable_form())["经营场所"] = "广州市天河区体育西路 1 号";
  (*r.mutable_form())["business_name"] = "示例餐饮店";
  (*r.mutable_form())["a"] = "1";
  auto* m = r.add_materials();
  m->set_guide_material_id("m1");
  m->set_material_id("mat_1");
  r.set_channel(intake::v1::WINDOW);
  r.set_applicant_id("acc_a");
  r.set_postal_address("广州市越秀区");
  return r;
}

intake::v1::SupplementApplicationRequest Supplement() {
  intake::v1::SupplementApplicationRequest r;
  r.set_application_id("app_0001");
  r.set_request_id("key-2");
  auto* m = r.add_materials();
  m->set_material_name("营业执照");
  m->set_material_id("mat_2");
  return r;
}

TEST_CASE("a request's hash leaves its idempotency key out and covers every other field") {
  const auto base = Submission();
  auto other_key = base;
  other_key.set_request_id("key-2");
  CHECK(*RequestHash(other_key) == *RequestHash(base));
  auto no_key = base;
  no_key.clear_request_id();
  CHECK(*RequestHash(no_key) == *RequestHash(base));

  auto other_form = base;
  (*other_form.mutable_form())["a"] = "2";
  CHECK(*RequestHash(other_form) != *RequestHash(base));
  auto other_address = base;
  other_address.set_postal_address("广州市海珠区");
  CHECK(*RequestHash(other_address) != *RequestHash(base));
  auto other_revision = base;
  other_revision.set_catalog_revision(4);
  CHECK(*RequestHash(other_revision) != *RequestHash(base));

  // request_id is not the first field here.
  const auto supplement = Supplement();
  auto other_supplement_key = supplement;
  other_supplement_key.set_request_id("key-3");
  CHECK(*RequestHash(other_supplement_key) == *RequestHash(supplement));
  auto other_material = supplement;
  other_material.mutable_materials(0)->set_material_id("mat_3");
  CHECK(*RequestHash(other_material) != *RequestHash(supplement));
}

TEST_CASE("a request's hash covers fields this release does not know, groups too") {
  // Field 99 as a group (start tag 99<<3|3, a varint field 1 = 7, end tag
  // 99<<3|4): a newer or odd client may send it; proto3 keeps it unknown.
  const std::string group("\x9b\x06\x08\x07\x9c\x06", 6);
  intake::v1::SubmitApplicationRequest with_group;
  REQUIRE(with_group.ParseFromString(Submission().SerializeAsString() + group));
  auto other_key = with_group;
  other_key.set_request_id("key-9");
  CHECK(*RequestHash(other_key) == *RequestHash(with_group));
  CHECK(*RequestHash(with_group) != *RequestHash(Submission()));
}

TEST_CASE("a request's hash keeps an unknown field that reuses the key's number") {
  // Field 1 as a varint: not the string request_id, so proto3 keeps it as
  // an unknown field, and the hash must cover it as it did before.
  intake::v1::SubmitApplicationRequest junk;
  REQUIRE(junk.ParseFromString(std::string("\x08\x07", 2) + Submission().SerializeAsString()));
  REQUIRE(junk.request_id() == "key-1");
  CHECK(*RequestHash(junk) != *RequestHash(Submission()));
  CHECK(*RequestHash(junk) == "e804a939dffc7d9b2b0da371ffaa8abc8f50fd743736d79702d2e5d84a0f4ca2");
}

TEST_CASE("a request's hash does not depend on the order its form was filled in") {
  intake::v1::SubmitApplicationRequest forward;
  intake::v1::SubmitApplicationRequest backward;
  for (int i = 0; i < 50; ++i) (*forward.mutable_form())[std::to_string(i)] = "v";
  for (int i = 49; i >= 0; --i) (*backward.mutable_form())[std::to_string(i)] = "v";
  CHECK(*RequestHash(forward) == *RequestHash(backward));
}

TEST_CASE("a request's hash is the one earlier releases stored") {
  // Stored with every application (applications.request_hash); a retry
  // after an upgrade is told apart from a reused key by comparing to it.
  CHECK(*RequestHash(Submission()) ==
        "57452e7053e38638cf9c5722e3cdfc2891835484ad06c4ffb45e05e5e59bcd40");
  CHECK(*RequestHash(Supplement()) ==
        "f6575d20625acbfebccd5f0dba12a9dcf65e845976039e16faae893e206a93ac");
  // An empty body: SHA-256 of nothing.
  CHECK(*RequestHash(intake::v1::SubmitApplicationRequest()) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace onewindow::intake::test
