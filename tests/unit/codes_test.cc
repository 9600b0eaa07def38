#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

#include "libs/codes/credit_code.h"
#include "libs/codes/item_code.h"
#include "libs/codes/mask.h"
#include "libs/codes/phone.h"
#include "libs/codes/region_code.h"
#include "libs/codes/resident_id.h"
#include "libs/codes/utf8.h"

namespace onewindow::codes {
namespace {

using Catch::Matchers::Contains;

std::string MessageOf(const absl::Status& status) { return std::string(status.message()); }

// Completes 17 digits into a number the validator must accept (if the date is real), so that
// date tests fail on the date rather than on the check character.
std::string WithResidentCheck(const std::string& first17) {
  return first17 + ResidentIdCheckChar(first17);
}

std::string WithCreditCheck(const std::string& first17) {
  return first17 + CreditCodeCheckChar(first17);
}

// ---------------------------------------------------------------------------------------------
// Resident identity numbers

TEST_CASE("the DOMAIN.md resident ID example with check character X is accepted") {
  CHECK(ValidateResidentId("11010519491231002X").ok());
  CHECK(ResidentIdCheckChar("11010519491231002") == 'X');
}

TEST_CASE("resident IDs completed by the check helper are accepted, including leap days") {
  for (const std::string first17 :
       {"44010619800101123", "44190020000229001", "65010219991231999", "11010518000101000"}) {
    INFO(first17);
    CHECK(ValidateResidentId(WithResidentCheck(first17)).ok());
  }
}

TEST_CASE("a resident ID with a wrong check character is rejected naming the expected character") {
  const absl::Status status = ValidateResidentId("110105194912310023");
  CHECK(absl::IsInvalidArgument(status));
  CHECK_THAT(MessageOf(status), Contains("expected 'X', got '3'"));
}

TEST_CASE("a resident ID error message does not repeat the number") {
  const absl::Status status = ValidateResidentId("110105194912310023");
  CHECK_THAT(MessageOf(status), !Contains("110105194912310023"));
  CHECK_THAT(MessageOf(status), !Contains("19491231"));
}

TEST_CASE("a resident ID of the wrong length is rejected naming the length") {
  CHECK_THAT(MessageOf(ValidateResidentId("11010519491231002")), Contains("got 17"));
  CHECK_THAT(MessageOf(ValidateResidentId("11010519491231002XX")), Contains("got 19"));
  CHECK(absl::IsInvalidArgument(ValidateResidentId("")));
  // A legacy 15-digit number is not an 18-digit one.
  CHECK_THAT(MessageOf(ValidateResidentId("110105491231002")), Contains("got 15"));
}

TEST_CASE("a resident ID with a non-digit is rejected naming its position counted from 1") {
  CHECK_THAT(MessageOf(ValidateResidentId("A1010519491231002X")),
             Contains("non-digit at position 1"));
  CHECK_THAT(MessageOf(ValidateResidentId("1101051949123100AX")),
             Contains("non-digit at position 17"));
  CHECK_THAT(MessageOf(ValidateResidentId("11010 19491231002X")),
             Contains("non-digit at position 6"));
}

TEST_CASE("a resident ID whose last character is neither a digit nor X is rejected") {
  CHECK_THAT(MessageOf(ValidateResidentId("11010519491231002Y")),
             Contains("must be a digit or 'X'"));
}

TEST_CASE("a resident ID with an impossible birth date is rejected as a bad birth date") {
  struct Case {
    const char* first17;
    const char* why;
  };
  const std::vector<Case> cases = {
      {"11010519491331002", "month 13"}, {"11010519490031002", "month 00"},
      {"11010519491200002", "day 00"},   {"11010519490230002", "day 30"},
      {"11010519000229002", "day 29"},  // 1900 is not a leap year
      {"11010519490431002", "day 31"},   {"11010509491231002", "year 0949"},
  };
  for (const Case& c : cases) {
    INFO(c.first17);
    const absl::Status status = ValidateResidentId(WithResidentCheck(c.first17));
    CHECK(absl::IsInvalidArgument(status));
    CHECK_THAT(MessageOf(status), Contains("bad birth date") && Contains(c.why));
  }
}

TEST_CASE("a resident ID with a lower-case x is rejected until it is normalised") {
  const absl::Status status = ValidateResidentId("11010519491231002x");
  CHECK(absl::IsInvalidArgument(status));
  CHECK_THAT(MessageOf(status), Contains("upper-case 'X'"));
  CHECK(ValidateResidentId(NormalizeResidentId("11010519491231002x")).ok());
}

TEST_CASE("normalising a resident ID trims whitespace and upper-cases only a trailing x") {
  CHECK(NormalizeResidentId(" 11010519491231002x\t") == "11010519491231002X");
  CHECK(NormalizeResidentId("110105194912310023") == "110105194912310023");
  CHECK(NormalizeResidentId("x1010519491231002x") == "x1010519491231002X");
  CHECK(NormalizeResidentId("") == "");
}

TEST_CASE("the resident ID check helper refuses anything but 17 digits") {
  CHECK(ResidentIdCheckChar("1101051949123100") == '\0');
  CHECK(ResidentIdCheckChar("11010519491231002X") == '\0');
  CHECK(ResidentIdCheckChar("1101051949123100A") == '\0');
}

// ---------------------------------------------------------------------------------------------
// Unified social credit codes

TEST_CASE("the worked credit code example 91350100M000100Y43 is valid") {
  // By hand: values 9 1 3 5 0 1 0 0 M=21 0 0 0 1 0 0 Y=30 4, weighted
  // 9 + 3 + 27 + 135 + 0 + 26 + 0 + 0 + 420 + 0 + 0 + 0 + 8 + 0 + 0 + 900 + 112 = 1640;
  // 1640 mod 31 = 28; 31 - 28 = 3, so the check character is '3'.
  CHECK(CreditCodeCheckChar("91350100M000100Y4") == '3');
  CHECK(ValidateCreditCode("91350100M000100Y43").ok());
}

TEST_CASE("the government body credit code from the DOMAIN.md item example is valid") {
  CHECK(ValidateCreditCode("114401000069391245").ok());
  CHECK(IsGovernmentBody("114401000069391245"));
}

TEST_CASE("credit codes completed by the check helper are valid, including checks 0 and Y") {
  // These prefixes were chosen so that the check value is 31 (shown as '0'), 30 ('Y') and 1.
  CHECK(CreditCodeCheckChar("91440101MA5000023") == '0');
  CHECK(CreditCodeCheckChar("91440101MA5000013") == 'Y');
  CHECK(CreditCodeCheckChar("91440101MA5000004") == '1');
  for (const std::string first17 :
       {"91440101MA5000023", "91440101MA5000013", "91440101MA5000004", "11440100MB2C3D4E5",
        "52440300XYWUTRQPN", "Y1110000000000000"}) {
    INFO(first17);
    CHECK(ValidateCreditCode(WithCreditCheck(first17)).ok());
  }
}

TEST_CASE("a credit code with a wrong check character is rejected naming the expected character") {
  const absl::Status status = ValidateCreditCode("91350100M000100Y44");
  CHECK(absl::IsInvalidArgument(status));
  CHECK_THAT(MessageOf(status), Contains("expected '3', got '4'"));
}

TEST_CASE("a credit code using I O S V Z or lower case is rejected naming the position") {
  for (const char letter : {'I', 'O', 'S', 'V', 'Z'}) {
    std::string code = "91350100M000100Y43";
    code[8] = letter;
    INFO(code);
    CHECK_THAT(MessageOf(ValidateCreditCode(code)),
               Contains("outside the GB 32100 alphabet at position 9") && Contains("not used"));
  }
  CHECK_THAT(MessageOf(ValidateCreditCode("91350100m000100Y43")),
             Contains("position 9") && Contains("upper case"));
}

TEST_CASE("a credit code of the wrong length is rejected naming the length") {
  CHECK_THAT(MessageOf(ValidateCreditCode("91350100M000100Y4")), Contains("got 17"));
  CHECK(absl::IsInvalidArgument(ValidateCreditCode("")));
}

TEST_CASE("a credit code with a letter in its region part is rejected") {
  const std::string code = WithCreditCheck("9135A100M000100Y4");
  CHECK_THAT(MessageOf(ValidateCreditCode(code)),
             Contains("region part") && Contains("position 5"));
}

TEST_CASE("only credit codes starting 11 belong to government bodies") {
  CHECK(IsGovernmentBody("114401000069391245"));
  CHECK_FALSE(IsGovernmentBody("91350100M000100Y43"));
  CHECK_FALSE(IsGovernmentBody("12440100MB2C3D4E5X"));
  CHECK_FALSE(IsGovernmentBody("1"));
  CHECK_FALSE(IsGovernmentBody(""));
}

TEST_CASE("the credit code check helper refuses anything but 17 alphabet symbols") {
  CHECK(CreditCodeCheckChar("91350100M000100Y") == '\0');
  CHECK(CreditCodeCheckChar("91350100M000100Y43") == '\0');
  CHECK(CreditCodeCheckChar("91350100O000100Y4") == '\0');
}

// ---------------------------------------------------------------------------------------------
// Region codes

TEST_CASE("each segment of a region code names its level") {
  CHECK(*LevelOf("440000000000") == RegionLevel::kProvince);
  CHECK(*LevelOf("440100000000") == RegionLevel::kCity);
  CHECK(*LevelOf("440106000000") == RegionLevel::kCounty);
  CHECK(*LevelOf("440106001000") == RegionLevel::kTown);
  CHECK(*LevelOf("440106001001") == RegionLevel::kVillage);
}

TEST_CASE("a region's significant digits are the prefix every code below it shares") {
  CHECK(SignificantDigits(RegionLevel::kProvince) == 2);
  CHECK(SignificantDigits(RegionLevel::kCity) == 4);
  CHECK(SignificantDigits(RegionLevel::kCounty) == 6);
  CHECK(SignificantDigits(RegionLevel::kTown) == 9);
  CHECK(SignificantDigits(RegionLevel::kVillage) == 12);
  // A Dongguan town keeps its county zeros in the prefix it shares.
  const std::string town = "441900003000";
  CHECK(town.substr(0, SignificantDigits(*LevelOf(town))) == "441900003");
}

TEST_CASE("a town directly under Dongguan or Zhongshan is a town, not a county") {
  CHECK(ValidateRegionCode("441900003000").ok());
  CHECK(*LevelOf("441900003000") == RegionLevel::kTown);
  CHECK(*LevelOf("441900003001") == RegionLevel::kVillage);
  CHECK(*LevelOf("442000100000") == RegionLevel::kTown);
}

TEST_CASE("the parent of a region code zeroes its lowest non-zero segment") {
  CHECK(ParentOf("440106001001") == std::optional<std::string>("440106001000"));
  CHECK(ParentOf("440106001000") == std::optional<std::string>("440106000000"));
  CHECK(ParentOf("440106000000") == std::optional<std::string>("440100000000"));
  CHECK(ParentOf("440100000000") == std::optional<std::string>("440000000000"));
  CHECK(ParentOf("441900003000") == std::optional<std::string>("441900000000"));
  // Segments are zeroed whole: a town number ending in 0 keeps its other digits.
  CHECK(ParentOf("440106010001") == std::optional<std::string>("440106010000"));
  CHECK(ParentOf("440106010000") == std::optional<std::string>("440106000000"));
}

TEST_CASE("a province, or an invalid region code, has no parent") {
  CHECK_FALSE(ParentOf("440000000000").has_value());
  CHECK_FALSE(ParentOf("44010600100").has_value());
  CHECK_FALSE(ParentOf("440106000001").has_value());
}

TEST_CASE("the ancestors of a village run nearest first up to the province") {
  const std::vector<std::string> expected = {"440106001000", "440106000000", "440100000000",
                                             "440000000000"};
  CHECK(AncestorsOf("440106001001") == expected);
}

TEST_CASE("the ancestors of a Dongguan town skip the absent county") {
  CHECK(AncestorsOf("441900003000") == std::vector<std::string>{"441900000000", "440000000000"});
  CHECK(AncestorsOf("441900003001") ==
        std::vector<std::string>{"441900003000", "441900000000", "440000000000"});
}

TEST_CASE("a province, or an invalid region code, has no ancestors") {
  CHECK(AncestorsOf("440000000000").empty());
  CHECK(AncestorsOf("000000000000").empty());
  CHECK(AncestorsOf("").empty());
}

TEST_CASE("a region code with an impossible structure is rejected naming the gap") {
  CHECK_THAT(MessageOf(ValidateRegionCode("000000000000")), Contains("province digits 00"));
  CHECK_THAT(MessageOf(ValidateRegionCode("000100000000")), Contains("province digits 00"));
  CHECK_THAT(MessageOf(ValidateRegionCode("440006000000")), Contains("county digits"));
  CHECK_THAT(MessageOf(ValidateRegionCode("440000001000")), Contains("town digits"));
  CHECK_THAT(MessageOf(ValidateRegionCode("440106000001")),
             Contains("village digits under town digits 000"));
  CHECK_THAT(MessageOf(ValidateRegionCode("441900000001")),
             Contains("village digits under town digits 000"));
  CHECK(absl::IsInvalidArgument(LevelOf("440106000001").status()));
}

TEST_CASE("a region code of the wrong length or with a non-digit is rejected") {
  CHECK_THAT(MessageOf(ValidateRegionCode("440106")), Contains("got 6"));
  CHECK_THAT(MessageOf(ValidateRegionCode("4401060010011")), Contains("got 13"));
  CHECK_THAT(MessageOf(ValidateRegionCode("44010600100A")), Contains("non-digit at position 12"));
}

// ---------------------------------------------------------------------------------------------
// Service item codes

TEST_CASE("every item type maps to its two-letter code and Chinese name and back") {
  struct Case {
    ItemType type;
    const char* code;
    const char* name;
  };
  // One type per line: packed, the double-width names overrun 100 columns on screen.
  // clang-format off
  const std::vector<Case> cases = {
      {ItemType::kLicensing, "XK", "行政许可"},
      {ItemType::kPayment, "GF", "行政给付"},
      {ItemType::kConfirmation, "QR", "行政确认"},
      {ItemType::kAdjudication, "CJ", "行政裁决"},
      {ItemType::kReward, "JL", "行政奖励"},
      {ItemType::kLevy, "ZS", "行政征收"},
      {ItemType::kOtherPower, "QT", "其他行政权力"},
      {ItemType::kPublicService, "GG", "公共服务"},
  };
  // clang-format on
  for (const Case& c : cases) {
    INFO(c.code);
    CHECK(ItemTypeCode(c.type) == c.code);
    CHECK(ItemTypeName(c.type) == c.name);
    CHECK(*ItemTypeFromCode(c.code) == c.type);
    CHECK(*ItemTypeFromName(c.name) == c.type);
  }
}

TEST_CASE("an unknown or lower-case item type code or name is rejected") {
  CHECK(absl::IsInvalidArgument(ItemTypeFromCode("XX").status()));
  CHECK(absl::IsInvalidArgument(ItemTypeFromCode("xk").status()));
  CHECK(absl::IsInvalidArgument(ItemTypeFromCode("").status()));
  CHECK(absl::IsInvalidArgument(ItemTypeFromName("行政").status()));
}

TEST_CASE("a basic code is a type code, a 5-digit main item and a 3-digit sub-item") {
  CHECK(ValidateBasicCode("XK00105001").ok());
  CHECK(ValidateBasicCode("GG12345000").ok());
  CHECK(ValidateBasicCode("QT00001999").ok());
}

TEST_CASE("a malformed basic code is rejected naming the faulty part") {
  CHECK_THAT(MessageOf(ValidateBasicCode("XK0010500")), Contains("got 9"));
  CHECK_THAT(MessageOf(ValidateBasicCode("XX00105001")), Contains("unknown type code"));
  CHECK_THAT(MessageOf(ValidateBasicCode("xk00105001")), Contains("unknown type code"));
  CHECK_THAT(MessageOf(ValidateBasicCode("XK0010A001")), Contains("main item"));
  CHECK_THAT(MessageOf(ValidateBasicCode("XK00105A01")), Contains("sub-item"));
}

TEST_CASE("an implementation code parses into basic code, credit code and optional suffix") {
  const auto plain = ParseImplementationCode("XK00105001-114401000069391245");
  REQUIRE(plain.ok());
  CHECK(plain->basic_code == "XK00105001");
  CHECK(plain->credit_code == "114401000069391245");
  CHECK_FALSE(plain->suffix.has_value());

  const auto business = ParseImplementationCode("XK00105001-114401000069391245-03");
  REQUIRE(business.ok());
  CHECK(business->basic_code == "XK00105001");
  CHECK(business->credit_code == "114401000069391245");
  CHECK(business->suffix == std::optional<std::string>("03"));
}

TEST_CASE("a made implementation code validates and parses back to its parts") {
  const std::string plain = MakeImplementationCode("GG00012000", "91350100M000100Y43");
  CHECK(plain == "GG00012000-91350100M000100Y43");
  CHECK(ValidateImplementationCode(plain).ok());

  const std::string business =
      MakeImplementationCode("GG00012000", "91350100M000100Y43", absl::string_view("01"));
  CHECK(business == "GG00012000-91350100M000100Y43-01");
  const auto parts = ParseImplementationCode(business);
  REQUIRE(parts.ok());
  CHECK(parts->suffix == std::optional<std::string>("01"));
}

TEST_CASE("a malformed implementation code is rejected naming the faulty part") {
  CHECK_THAT(MessageOf(ValidateImplementationCode("XK00105001")), Contains("must be <basic code>"));
  CHECK_THAT(MessageOf(ValidateImplementationCode("")), Contains("must be <basic code>"));
  CHECK_THAT(MessageOf(ValidateImplementationCode("XK00105001-114401000069391245-01-02")),
             Contains("must be <basic code>"));
  CHECK_THAT(MessageOf(ValidateImplementationCode("XX00105001-114401000069391245")),
             Contains("implementation code: basic code"));
  CHECK_THAT(MessageOf(ValidateImplementationCode("XK00105001-114401000069391246")),
             Contains("implementation code: credit code check character is wrong"));
  CHECK_THAT(MessageOf(ValidateImplementationCode("XK00105001-114401000069391245-1")),
             Contains("business item must be 2 digits"));
  CHECK_THAT(MessageOf(ValidateImplementationCode("XK00105001-114401000069391245-0A")),
             Contains("business item must be 2 digits"));
  CHECK_THAT(MessageOf(ValidateImplementationCode("XK00105001-114401000069391245-")),
             Contains("business item must be 2 digits"));
}

// ---------------------------------------------------------------------------------------------
// Mobile numbers

TEST_CASE("an 11-digit number starting with 1 is a mobile number") {
  CHECK(ValidatePhone("13812341234").ok());
  CHECK(ValidatePhone("19900000000").ok());
}

TEST_CASE("a malformed mobile number is rejected naming what is wrong") {
  CHECK_THAT(MessageOf(ValidatePhone("1381234123")), Contains("got 10"));
  CHECK_THAT(MessageOf(ValidatePhone("+8613812341234")), Contains("got 14"));
  CHECK_THAT(MessageOf(ValidatePhone("138-1234123")), Contains("non-digit at position 4"));
  CHECK_THAT(MessageOf(ValidatePhone("23812341234")), Contains("start with 1"));
}

// ---------------------------------------------------------------------------------------------
// Masking

TEST_CASE("a well-formed resident ID is masked to its first 3 and last 4 characters") {
  CHECK(MaskResidentId("11010519491231002X") == "110***********002X");
  CHECK(MaskResidentId("11010519491231002x") == "110***********002X");
  // Masking is for display: a wrong check character does not make the number malformed.
  CHECK(MaskResidentId("110105194912310023") == "110***********0023");
}

TEST_CASE("a malformed resident ID is masked completely") {
  CHECK(MaskResidentId("") == "");
  CHECK(MaskResidentId("12345") == "*****");
  CHECK(MaskResidentId("11010519491231002") == std::string(17, '*'));
  CHECK(MaskResidentId("11010519491231002XX") == std::string(19, '*'));
  CHECK(MaskResidentId("1101051949123100AX") == std::string(18, '*'));
  CHECK(MaskResidentId(" 11010519491231002X") == std::string(19, '*'));
  CHECK(MaskResidentId("身份证号") == "****");
}

TEST_CASE("a mobile number is masked to its first 3 and last 4 digits") {
  CHECK(MaskPhone("13812341234") == "138****1234");
}

TEST_CASE("a malformed mobile number is masked completely") {
  CHECK(MaskPhone("") == "");
  CHECK(MaskPhone("1381234") == "*******");
  CHECK(MaskPhone("23812341234") == std::string(11, '*'));
  CHECK(MaskPhone("138123412345") == std::string(12, '*'));
  CHECK(MaskPhone("138-1234-1234") == std::string(13, '*'));
}

TEST_CASE("a name keeps its first UTF-8 character and masks each further character") {
  CHECK(MaskName("张三") == "张*");
  CHECK(MaskName("张三丰") == "张**");
  CHECK(MaskName("欧阳娜娜") == "欧***");
  CHECK(MaskName("阿依古丽·买买提") == "阿*******");
  CHECK(MaskName("Li Lei") == "L*****");
  CHECK(MaskName("😀xy") == "😀**");   // U+1F600, 4 bytes
  CHECK(MaskName("𠀀丽") == "𠀀*");  // CJK Extension B
}

TEST_CASE("a one-character or empty name shows nothing") {
  CHECK(MaskName("王") == "*");
  CHECK(MaskName("A") == "*");
  CHECK(MaskName("") == "");
}

TEST_CASE("a name that is not valid UTF-8 is masked one star per byte") {
  CHECK(MaskName("\xE5\xBC") == "**");            // 张 cut short
  CHECK(MaskName("\xE5\xBC\xA0\xE4") == "****");  // 张 then a stray lead byte
  CHECK(MaskName("\xC0\xAFz") == "***");          // overlong '/' then z
  CHECK(MaskName("\xED\xA0\x80") == "***");       // UTF-16 surrogate
  CHECK(MaskName("\xF4\x90\x80\x80") == "****");  // past U+10FFFF
  CHECK(MaskName("\xBC\xA0") == "**");            // continuation bytes only
}

TEST_CASE("text cut to a byte limit keeps whole UTF-8 characters") {
  CHECK(Utf8Prefix("abc", 5) == "abc");
  CHECK(Utf8Prefix("abcdef", 3) == "abc");
  // 营业执照: three bytes a character.
  const std::string licence = "营业执照";
  CHECK(Utf8Prefix(licence, 12) == licence);
  CHECK(Utf8Prefix(licence, 11) == "营业执");
  CHECK(Utf8Prefix(licence, 7) == "营业");
  CHECK(Utf8Prefix(licence, 6) == "营业");
  CHECK(Utf8Prefix(licence, 2).empty());
  // A four-byte character (U+1F600).
  CHECK(Utf8Prefix("a\xF0\x9F\x98\x80", 4) == "a");
  // Stray continuation bytes are not UTF-8: cut as bytes after three steps.
  const std::string stray = "ab\x80\x80\x80\x80\x80";
  CHECK(Utf8Prefix(stray, 6) == "ab\x80");
}

}  // namespace
}  // namespace onewindow::codes
